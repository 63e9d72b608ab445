"""Colours as the theme gives them ('#rrggbb'), in one place: mixing, WCAG luminance and contrast,
and lightening a colour until it reads. The theme's checks, the web edition's palette and the EPUB
cover all use these, so a contrast the theme accepts is the contrast the page has.
"""

from __future__ import annotations

import colorsys

AA = 4.5  # WCAG 2 AA contrast for body text

RGB = tuple[int, int, int]


def rgb(colour: str) -> RGB:
    """'#rrggbb' (the theme checks the form) as a tuple."""
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def hex_colour(value: RGB) -> str:
    return "#" + "".join(f"{v:02x}" for v in value)


def mix(a: str, b: str, t: float) -> str:
    """`a` moved a fraction t of the way to `b`, as #rrggbb."""
    return hex_colour(mix_rgb(rgb(a), rgb(b), t))


def mix_rgb(a: RGB, b: RGB, t: float) -> RGB:
    """`a` moved a fraction t of the way to `b`."""
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance."""

    def channel(v: int) -> float:
        v = v / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable(colour: str, background: str, target: float) -> str:
    """The colour made lighter (same hue and saturation) just enough for `target` contrast on the background."""
    h, lightness, sat = colorsys.rgb_to_hls(*(v / 255 for v in rgb(colour)))
    for step in range(0, 101):
        lighter = lightness + (1 - lightness) * step / 100
        candidate = "#" + "".join(f"{round(v * 255):02x}" for v in colorsys.hls_to_rgb(h, lighter, sat))
        if contrast(candidate, background) >= target:
            return candidate
    return "#ffffff"

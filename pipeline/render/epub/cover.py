"""The EPUB's cover image: a PNG drawn from the metadata (issuer, title, subtitle, date) with Pillow.

A raster cover because e-reader libraries (Kobo, Kindle, Apple Books, calibre) show PNG/JPEG covers as
thumbnails, while many ignore SVG ones. The colours and the optional extra line under the title are the
theme's (`cover_background`, `cover_text_colour`, `cover_text` in templates/theme.yaml), as on the PDF's
cover. The text is set in the vendored Source Serif 4 / Source Sans 3 with Pillow's basic layout (no
libraqm), so the same Pillow and FreeType give the same pixels; the PNG carries no time or software
chunks, so two builds give the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

from PIL import Image, ImageDraw, ImageFont

from ... import fonts
from ...colour import mix_rgb, rgb
from ...model import Metadata
from ...templates import Templates

WIDTH, HEIGHT = 1600, 2400  # 2:3, the shape most e-reader libraries expect
MARGIN = 170
TITLE_TOP = 760  # the title starts here (or lower, under a long issuer)
FOOT_RULE = HEIGHT - 330  # the rule above the date; the title block must end above it
RULE = (201, 165, 92)  # muted gold, on the theme's dark red as on the default blue
DEFAULT_BACKGROUND = "#7d1a12"
DEFAULT_TEXT = "#ffffff"

SERIF = fonts.font(fonts.SERIF, "semibold").file
SERIF_ITALIC = fonts.font(fonts.SERIF, italic=True).file
SANS = fonts.font(fonts.SANS, "semibold").file
SANS_REGULAR = fonts.font(fonts.SANS).file


def cover_png(meta: Metadata, templates: Templates, theme: Mapping | None = None) -> bytes:
    """The cover as PNG bytes."""
    theme = theme or {}
    background = rgb(theme.get("cover_background") or DEFAULT_BACKGROUND)
    text = rgb(theme.get("cover_text_colour") or DEFAULT_TEXT)
    soft = mix_rgb(text, background, 0.15)  # the smaller lines, a little quieter than the title
    extra = str(theme.get("cover_text") or "").strip()

    img = Image.new("RGB", (WIDTH, HEIGHT), background)
    draw = ImageDraw.Draw(img)
    measure = WIDTH - 2 * MARGIN

    def font(path: str, size: int) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(str(templates.find(path)), size, layout_engine=ImageFont.Layout.BASIC)

    # Top: the issuer and country, small spaced sans.
    y = 230
    issuer = font(SANS, 50)
    for line in wrap(meta.issuer.upper(), issuer, measure)[:4]:
        draw.text((MARGIN, y), line, font=issuer, fill=soft)
        y += 66
    if meta.country:
        country = font(SANS_REGULAR, 44)
        for line in wrap(meta.country, country, measure)[:2]:
            draw.text((MARGIN, y), line, font=country, fill=soft)
            y += 60
    y += 40
    draw.rectangle((MARGIN, y, MARGIN + 260, y + 10), fill=RULE)

    # Middle: the title as large as fits above the foot (in at most seven lines while it is large), then
    # the subtitle and the theme's extra line, each at a fixed size and cut to three lines at most.
    top = max(y + 180, TITLE_TOP)
    below = []  # (lines, font, leading, colour) under the title
    if meta.subtitle:
        sub = font(SERIF_ITALIC, 64)
        below.append((wrap(meta.subtitle, sub, measure)[:3], sub, 82, soft))
    if extra:
        more = font(SANS_REGULAR, 52)
        below.append((wrap(extra, more, measure)[:3], more, 68, soft))
    below_height = sum(40 + len(lines) * leading for lines, _, leading, _ in below)
    size = 132
    while True:
        title_font = font(SERIF, size)
        lines = wrap(meta.title, title_font, measure)
        leading = round(size * 1.22)
        fits = top + len(lines) * leading + below_height <= FOOT_RULE - 60
        if size <= 40 or (fits and (len(lines) <= 7 or size <= 72)):
            break
        size -= 8
    # A title too long even at the smallest size starts higher rather than running into the foot.
    room = FOOT_RULE - 60 - below_height
    y = max(min(top, room - len(lines) * leading), y + 60)
    for line in lines:
        if y + leading > room + leading // 4:
            break
        draw.text((MARGIN, y), line, font=title_font, fill=text)
        y += leading
    for sub_lines, sub_font, sub_leading, colour in below:
        y += 40
        for line in sub_lines:
            draw.text((MARGIN, y), line, font=sub_font, fill=colour)
            y += sub_leading

    # Bottom: the paper's date as printed (and the place, when given).
    bottom = font(SANS_REGULAR, 52)
    foot = ", ".join(part for part in (meta.place, meta.date) if part)
    draw.rectangle((MARGIN, FOOT_RULE, WIDTH - MARGIN, FOOT_RULE + 4), fill=RULE)
    draw.text((MARGIN, HEIGHT - 280), (wrap(foot, bottom, measure) or [""])[0], font=bottom, fill=soft)

    # A palette image: the cover has a handful of colours plus anti-aliasing, so 64 colours keep it
    # sharp at a fraction of the size of a full-colour PNG.
    out = io.BytesIO()
    img.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        out, format="PNG", optimize=True
    )
    return out.getvalue()


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy line breaking at spaces; a word wider than the line (a long URL, or text written without
    spaces) is broken between characters."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if font.getlength(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for char in word:
            if current and font.getlength(current + char) > width:
                lines.append(current)
                current = ""
            current += char
    if current:
        lines.append(current)
    return lines

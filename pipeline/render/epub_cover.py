"""The EPUB's cover image: a PNG drawn from the metadata (issuer, title, subtitle, date) with Pillow.

A raster cover because e-reader libraries (Kobo, Kindle, Apple Books, calibre) show PNG/JPEG covers as
thumbnails, while many ignore SVG ones. The text is set in the vendored Source Serif 4 / Source Sans 3
with Pillow's basic layout (no libraqm), so the same Pillow and FreeType give the same pixels; the PNG
carries no time or software chunks, so two builds give the same bytes.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from ..model import Metadata
from ..templates import Templates

WIDTH, HEIGHT = 1600, 2400  # 2:3, the shape most e-reader libraries expect
MARGIN = 170
BACKGROUND = (31, 45, 66)  # deep blue
RULE = (201, 165, 92)  # muted gold
TEXT = (255, 255, 255)
SOFT = (222, 214, 196)  # off-white for the smaller lines

SERIF = "fonts/SourceSerif4-Semibold.otf"
SERIF_ITALIC = "fonts/SourceSerif4-It.otf"
SANS = "fonts/SourceSans3-Semibold.otf"
SANS_REGULAR = "fonts/SourceSans3-Regular.otf"


def cover_png(meta: Metadata, templates: Templates) -> bytes:
    """The cover as PNG bytes."""
    img = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(img)
    measure = WIDTH - 2 * MARGIN

    def font(path: str, size: int) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(str(templates.find(path)), size, layout_engine=ImageFont.Layout.BASIC)

    # Top: the issuer and country, small capitals-like spaced sans.
    y = 230
    issuer = font(SANS, 50)
    for line in wrap(meta.issuer.upper(), issuer, measure):
        draw.text((MARGIN, y), line, font=issuer, fill=SOFT)
        y += 66
    if meta.country:
        country = font(SANS_REGULAR, 44)
        for line in wrap(meta.country, country, measure):
            draw.text((MARGIN, y), line, font=country, fill=SOFT)
            y += 60
    y += 40
    draw.rectangle((MARGIN, y, MARGIN + 260, y + 10), fill=RULE)

    # Middle: the title, as large as fits in at most seven lines, then the subtitle.
    size, lines, title_font = 132, [], None
    while size >= 60:
        title_font = font(SERIF, size)
        lines = wrap(meta.title, title_font, measure)
        if len(lines) <= 7:
            break
        size -= 8
    leading = round(size * 1.22)
    y = max(y + 180, 760)
    for line in lines:
        draw.text((MARGIN, y), line, font=title_font, fill=TEXT)
        y += leading
    if meta.subtitle:
        y += 40
        sub = font(SERIF_ITALIC, 64)
        for line in wrap(meta.subtitle, sub, measure):
            draw.text((MARGIN, y), line, font=sub, fill=SOFT)
            y += 82

    # Bottom: the paper's date as printed (and the place, when given).
    bottom = font(SANS_REGULAR, 52)
    foot = ", ".join(part for part in (meta.place, meta.date) if part)
    draw.rectangle((MARGIN, HEIGHT - 330, WIDTH - MARGIN, HEIGHT - 326), fill=RULE)
    draw.text((MARGIN, HEIGHT - 280), foot, font=bottom, fill=SOFT)

    # A palette image: the cover has a handful of colours plus anti-aliasing, so 64 colours keep it
    # sharp at a fraction of the size of a full-colour PNG.
    out = io.BytesIO()
    img.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        out, format="PNG", optimize=True
    )
    return out.getvalue()


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy line breaking at spaces; a word longer than the line stands alone on its line."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and font.getlength(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines

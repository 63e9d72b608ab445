"""The press PDF: the reading PDF's print HTML, with the press stylesheet added, laid out as PDF/X-4
for offset printing (`<slug>-press.pdf`, beside the reading PDF; `make press`).

What differs from the reading PDF, and nothing else: `pdf/press.css` (the CMYK output profile, no
screen-only details) and the theme's `bleed` as CSS `@page { bleed }`, so WeasyPrint paints the page
backgrounds (the cover's colour field) into the bleed; the variant PDF/X-4, untagged (the reading PDF
is the accessible one); and pressmarks.py as the finisher (page boxes, crop and registration marks,
DefaultRGB, a reproducible XMP DocumentID). The text, fonts and pagination are the reading PDF's.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import replace

from ...errors import Diagnostic, SourceError
from ...model import Document
from ...paths import BUILTIN
from ...theme import length_points
from .. import Context, Output
from . import book, press_outputs
from .engine import PrintJob, lay_out
from .pressmarks import Press

STYLESHEET = "pdf/press.css"
PROFILE = "icc/ISOcoated_v2_300_bas.icc"  # what the built-in press.css names; `make press-profile`
VARIANT = "pdf/x-4"
DEFAULT_BLEED = "3mm"


def render(doc: Document, ctx: Context) -> Output:
    return lay_out(print_job(doc, ctx))


def print_job(doc: Document, ctx: Context) -> PrintJob:
    """The reading PDF's job (its HTML checked: glyphs, images, ids), made the press PDF's."""
    job = book.print_job(doc, ctx)
    stylesheet = ctx.templates.find(STYLESHEET)
    if stylesheet.resolve() == (BUILTIN / STYLESHEET).resolve() and not (BUILTIN / PROFILE).is_file():
        message = "the press PDF's CMYK output profile is not installed: run  make press-profile"
        raise SourceError([Diagnostic(str(BUILTIN / PROFILE), 1, message)])
    bleed = str(ctx.theme.get("bleed") or DEFAULT_BLEED).strip()
    points = length_points(bleed)
    if points is None:  # theme.py has checked it: only a bug gets here
        raise ValueError(f"bleed {bleed!r} is not a length")
    base = ctx.templates.find(book.TEMPLATE).parent
    identifier = doc.meta.identifier + "#press"  # another document than the reading PDF: another /ID
    return replace(
        job,
        html=with_press_style(job.html, book._template_url(ctx, STYLESHEET, base), bleed),
        filename=press_outputs(doc.meta)[0],
        options={
            **job.options,
            "pdf_variant": VARIANT,
            "pdf_tags": False,
            "pdf_identifier": hashlib.md5(identifier.encode(), usedforsecurity=False).hexdigest().encode(),
        },
        press=Press(bleed=points, document_id=str(uuid.uuid5(uuid.NAMESPACE_URL, identifier))),
    )


def with_press_style(html: str, stylesheet_url: str, bleed: str) -> str:
    """The print HTML with the press stylesheet and the bleed last in its head, so they win."""
    added = f'<link rel="stylesheet" href="{stylesheet_url}" />\n<style>@page {{ bleed: {bleed}; }}</style>\n'
    head_end = html.index("</head>")
    return html[:head_end] + added + html[head_end:]

"""The PDF edition: a print template (HTML + CSS Paged Media, `templates/pdf/`) laid out by WeasyPrint.

`print_html(doc, ctx)` is the HTML exactly as WeasyPrint gets it; its relative URLs resolve against
the folder of `pdf/book.html`. Before layout every character is checked against the fonts the
template declares (`glyphs`), so a missing glyph fails the build with `path:line` instead of
printing an empty box. WeasyPrint's warnings (bad CSS, a file it could not read) fail the build too.

Reproducible: the PDF's dates come from the paper's timestamp (the `dcterms` meta of the template),
its /ID is derived from the paper's identifier, and variants that stamp random ids are refused.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ... import ids
from ...errors import Diagnostic, SourceError
from ...fonts import is_cjk
from ...model import Document
from ...theme import PAGE_SIZES
from .. import Context, Output
from ..common import check_images, check_page_ids, css_string
from . import NAME, outputs
from .engine import PrintJob, source_url
from .glyphs import check_glyphs

TEMPLATE = "pdf/book.html"
DEFAULT_VARIANT = "pdf/ua-1"
# WeasyPrint variants whose output is reproducible. PDF/X-4 and X-5 write a random xmpMM:DocumentID.
# The PDF/A variants are tagged as well (pdf_tags), so choosing PDF/A keeps the accessibility of UA.
VARIANTS = (
    "pdf/ua-1",
    "pdf/ua-2",
    "pdf/a-1b",
    "pdf/a-2b",
    "pdf/a-3b",
    "pdf/a-2u",
    "pdf/a-3u",
    "pdf/a-4u",
    "pdf/a-1a",
    "pdf/a-2a",
    "pdf/a-3a",
    "pdf/a-4e",
    "pdf/a-4f",
)
MONTHS = "January February March April May June July August September October November December".split()


def page_size(ctx: Context) -> str:
    """The CSS page size from the theme's `page_size` (a4 or letter), else A4. `ctx.theme` is resolved
    already: the paper's `theme:` over a designer's theme.yaml over templates/theme.yaml."""
    value = ctx.theme.get("page_size") or "a4"
    return PAGE_SIZES.get(str(value).lower(), "A4")


def print_html(doc: Document, ctx: Context) -> str:
    """The print HTML, as WeasyPrint lays it out (URLs relative to the folder of pdf/book.html)."""
    notes = {note.number: note for chapter in doc.chapters for note in chapter.footnotes}
    referenced: set[int] = set()

    def first_ref(number: int) -> bool:
        fresh = number not in referenced
        referenced.add(number)
        return fresh

    base = ctx.templates.find(TEMPLATE).parent
    stamp = doc.meta.timestamp
    released = doc.meta.released
    page = ctx.templates.render(
        TEMPLATE,
        doc=doc,
        meta=doc.meta,
        theme=ctx.theme,
        edition=NAME,
        ids=ids.TEMPLATE,
        heading_offset=1,  # the book's title is the <h1>; chapters are <h2>, sections <h3>
        href=lambda target: target,
        # Not the file's own URL: WeasyPrint names image objects after the URL, and the PDF must not
        # change with the folder the source sits in (the engine's fetcher finds the file).
        asset=source_url,
        note=notes.__getitem__,
        first_ref=first_ref,
        page_size=page_size(ctx),
        stamp=stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
        edition_date=f"{released.day} {MONTHS[released.month - 1]} {released.year}",
        css_string=css_string,
        cjk=is_cjk(doc.meta.language),  # cjk.css and the CJK families first in every font stack
        template_url=lambda relative: _template_url(ctx, relative, base),
    )
    check_page_ids(page, ctx.templates.find(TEMPLATE), "the print HTML")  # a link must land on one place
    return page


def _template_url(ctx: Context, relative: str, base: Path) -> str:
    """A template file's URL from the print HTML: relative when beside book.html (as for the built-in
    templates), else absolute (a designer overrode book.html or print.css, but not both)."""
    path = ctx.templates.find(relative)
    return path.name if path.parent == base else path.resolve().as_uri()


def render(doc: Document, ctx: Context) -> Output:
    """In this process: the parts one after the other (the same PDF as on many cores)."""
    from .parallel import lay_out_in_parts

    return lay_out_in_parts(print_job(doc, ctx))


def _last_parts(ctx: Context) -> bytes:
    """The last build's findings about the parts, if the build folder has them (a guess, checked)."""
    from .parallel import GUESS_FILE

    if ctx.build_folder is None:
        return b""
    path = Path(ctx.build_folder) / GUESS_FILE
    try:
        return b"" if path.is_symlink() else path.read_bytes()[:4_000_000]
    except OSError:
        return b""


def print_job(doc: Document, ctx: Context) -> PrintJob:
    """The print HTML, checked: an unknown PDF variant or a character no declared font has fails here,
    with `path:line`, before WeasyPrint is started."""
    variant = ctx.options.get("pdf_variant") or DEFAULT_VARIANT
    if variant not in VARIANTS:
        raise SourceError(
            [
                Diagnostic(
                    "--pdf-variant", 1, f"unknown or not reproducible: {variant!r}; choose from {', '.join(VARIANTS)}"
                )
            ]
        )
    check_images(doc)  # here, in the parent: WeasyPrint would only log a broken image
    html = print_html(doc, ctx)
    template = ctx.templates.find(TEMPLATE)
    check_glyphs(doc, html, template.parent, ctx.templates)
    return PrintJob(
        html=html,
        base_url=str(template.parent),
        template=str(template),
        filename=outputs(doc.meta)[0],
        source_root=Path(doc.source_dir).resolve(),
        template_roots=tuple(ctx.templates.roots()),
        options={
            "pdf_variant": variant,
            "pdf_tags": True,  # PDF/A too: tagged, with the language and the title shown as the window title
            "pdf_identifier": hashlib.md5(doc.meta.identifier.encode(), usedforsecurity=False).hexdigest().encode(),
            "uncompressed_pdf": False,
        },
        epoch=int(doc.meta.timestamp.timestamp()),
        last_parts=_last_parts(ctx),
        # The tests' knob: 0 is the one-piece reference, a small size cuts even a short paper.
        part_size=ctx.options.get("pdf_part_size"),
    )

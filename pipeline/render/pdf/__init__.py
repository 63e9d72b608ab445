"""The PDF edition: the print template (`templates/pdf/`) laid out by WeasyPrint, in a process of its own.

- `book`: the print HTML and the print job, checked (variants, images, glyphs) before layout;
- `glyphs`: every character against the fonts the template declares;
- `engine`: WeasyPrint behind one door to files, its log captured, the layout reproducible;
- `pages`: no word broken across a page end;
- `process`: the process that imports WeasyPrint while the build reads the source, then lays out.

Only this module is imported until the PDF renders: it holds no WeasyPrint, nor lxml nor tinycss2.
"""

from __future__ import annotations

from ..edition import Edition, lazy, slug_file

NAME = "pdf"
_pdf_file = slug_file("pdf")


def outputs(meta) -> list[str]:
    """The PDF, and the page map beside it (pipeline/pagemap.py) for a later build of the EPUB alone."""
    from ...pagemap import FILE

    return [*_pdf_file(meta), FILE]


def _preload():
    from . import pages  # noqa: F401  (WeasyPrint)


def _worker():
    from .process import PdfProcess

    return PdfProcess()


EDITION = Edition(
    name=NAME,
    label="PDF",
    media_type="application/pdf",
    outputs=outputs,
    render=lazy(f"{__name__}.book", "render"),
    templates=("pdf", "partials", "fonts"),
    downloadable=True,
    makes_page_map=True,
    worker=_worker,
    job=lazy(f"{__name__}.book", "print_job"),
    preload=_preload,
)

"""The PDF edition: the print template (`templates/pdf/`) laid out by WeasyPrint, in a process of its own.

- `book`: the print HTML and the print job, checked (variants, images, glyphs) before layout;
- `glyphs`: every character against the fonts the template declares;
- `engine`: WeasyPrint behind one door to files, its log captured, the layout reproducible;
- `pages`: no word broken across a page end;
- `process`: the process that imports WeasyPrint while the build reads the source, then lays out;
- `press`, `pressmarks`: the press PDF (PDF/X-4, bleed, printer's marks), the second edition here.

Only this module is imported until the PDF renders: it holds no WeasyPrint, nor lxml nor tinycss2.
"""

from __future__ import annotations

from ..edition import Edition, lazy, slug_file

NAME = "pdf"
PRESS_NAME = "press"
_pdf_file = slug_file("pdf")
PARTS_FILE = ".pipeline-parts.json"  # parallel.GUESS_FILE (kept here: this module imports no layout)


def outputs(meta) -> list[str]:
    """The PDF, the page map beside it (pipeline/pagemap.py) for a later build of the EPUB alone, and
    what the layout in parts found (parallel.py), the next build's guess."""
    from ...pagemap import FILE

    return [*_pdf_file(meta), FILE, PARTS_FILE]


def _preload():
    from . import pages  # noqa: F401  (WeasyPrint)


def _worker():
    from .process import PdfLayout

    return PdfLayout()


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


def press_outputs(meta) -> list[str]:
    """The press PDF, beside the reading one: `<slug>-press.pdf`."""
    return [f"{meta.slug}-press.pdf"]


# The press PDF for offset printing: the same print HTML as the reading PDF with templates/pdf/press.css
# added, as PDF/X-4 with bleed and printer's marks. Optional: built by `make press` or
# `--pdf-variant press` (`--formats press`), never by a plain build; a download only where the theme
# says `press_download: true`. It reads the CMYK profile from templates/icc/ (`make press-profile`).
PRESS = Edition(
    name=PRESS_NAME,
    label="Press PDF",  # PDF/X-4, for the printer
    media_type="application/pdf",
    outputs=press_outputs,
    render=lazy(f"{__name__}.press", "render"),
    templates=("pdf", "partials", "fonts", "icc"),
    download_setting="press_download",
    optional=True,
    setup="press-profile",
    worker=_worker,
    job=lazy(f"{__name__}.press", "print_job"),
    preload=_preload,
)

EDITIONS = (EDITION, PRESS)

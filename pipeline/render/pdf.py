"""The PDF edition: a print template (HTML + CSS Paged Media, `templates/pdf/`) laid out by WeasyPrint.

`print_html(doc, ctx)` is the HTML exactly as WeasyPrint gets it; its relative URLs resolve against
the folder of `pdf/book.html`. Before layout every character is checked against the fonts the
template declares (`pdf_glyphs`), so a missing glyph fails the build with `path:line` instead of
printing an empty box. WeasyPrint's warnings (bad CSS, a file it could not read) fail the build too.

Reproducible: the PDF's dates come from the paper's timestamp (the `dcterms` meta of the template),
its /ID is derived from the paper's identifier, and variants that stamp random ids are refused.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import Diagnostic, SourceError
from ..model import Document
from . import Context
from .common import css_string
from .pdf_glyphs import check_glyphs, locate

NAME = "pdf"
LABEL = "PDF"
MEDIA_TYPE = "application/pdf"

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
PAGE_SIZES = {"a4": "A4", "letter": "letter"}
MONTHS = "January February March April May June July August September October November December".split()


def outputs(meta) -> list[str]:
    return [f"{meta.slug}.pdf"]


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

    source = Path(doc.source_dir)
    base = ctx.templates.find(TEMPLATE).parent
    stamp = doc.meta.timestamp
    released = doc.meta.released
    return ctx.templates.render(
        TEMPLATE,
        doc=doc,
        meta=doc.meta,
        theme=ctx.theme,
        edition=NAME,
        heading_offset=1,  # the book's title is the <h1>; chapters are <h2>, sections <h3>
        href=lambda target: target,
        asset=lambda src: (source / src).resolve().as_uri(),
        note=notes.__getitem__,
        first_ref=first_ref,
        page_size=page_size(ctx),
        stamp=stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
        edition_date=f"{released.day} {MONTHS[released.month - 1]} {released.year}",
        css_string=css_string,
        template_url=lambda relative: _template_url(ctx, relative, base),
    )


def _template_url(ctx: Context, relative: str, base: Path) -> str:
    """A template file's URL from the print HTML: relative when beside book.html (as for the built-in
    templates), else absolute (a designer overrode book.html or print.css, but not both)."""
    path = ctx.templates.find(relative)
    return path.name if path.parent == base else path.resolve().as_uri()


@dataclass(frozen=True)
class PrintJob:
    """What WeasyPrint needs to lay out the print edition, and nothing of the pipeline: plain data,
    so the layout can run in a process that has imported only WeasyPrint (`lay_out`)."""

    html: str
    base_url: str  # the folder of pdf/book.html, where the HTML's relative URLs resolve
    template: str  # pdf/book.html, named by WeasyPrint's warnings
    filename: str
    roots: tuple[Path, ...]  # the folders WeasyPrint may read: the source's and the templates'
    template_roots: tuple[Path, ...]
    options: dict = field(default_factory=dict)


def render(doc: Document, ctx: Context) -> dict[str, bytes]:
    return lay_out(print_job(doc, ctx))


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
    html = print_html(doc, ctx)
    template = ctx.templates.find(TEMPLATE)
    check_glyphs(doc, html, template.parent, ctx.templates)
    return PrintJob(
        html=html,
        base_url=str(template.parent),
        template=str(template),
        filename=outputs(doc.meta)[0],
        roots=(Path(doc.source_dir).resolve(), *ctx.templates.roots()),
        template_roots=tuple(ctx.templates.roots()),
        options={
            "pdf_variant": variant,
            "pdf_tags": True,  # PDF/A too: tagged, with the language and the title shown as the window title
            "pdf_identifier": hashlib.md5(doc.meta.identifier.encode(), usedforsecurity=False).hexdigest().encode(),
            "uncompressed_pdf": False,
        },
    )


def lay_out(job: PrintJob) -> dict[str, bytes]:
    """WeasyPrint's part: lay out and write the PDF. Its warnings (bad CSS, a file it may not read)
    fail the build, naming the template."""
    import weasyprint  # imported here: it is the slowest import (~0.5 s), and only this edition needs it

    from .pdf_pages import render_without_broken_page_ends  # imports WeasyPrint too

    with _captured_logs() as logs:
        fetcher = _confined_fetcher(list(job.roots), list(job.template_roots))
        source = weasyprint.HTML(string=job.html, base_url=job.base_url, url_fetcher=fetcher)
        document = render_without_broken_page_ends(source, **job.options)
        with _cached_page_references():
            pdf = document.write_pdf(finisher=_header_scope, **job.options)
    if logs:
        raise SourceError([Diagnostic(job.template, 1, f"WeasyPrint: {m}") for m in logs])
    return {job.filename: pdf}


class _cached_page_references:
    """pydyf's `PDF.page_references` builds a tuple of every page's reference on each call, and
    WeasyPrint's tagging calls it once per structure element: quadratic, 2.3 s of a 311-page book's
    13 s `write_pdf`. While the PDF is written, the tuple is kept until a page is added. The same
    values, so the same bytes."""

    def __enter__(self) -> None:
        import pydyf

        self.cls = pydyf.PDF
        self.original = self.cls.__dict__.get("page_references")
        if not isinstance(self.original, property):
            return  # pydyf changed: leave it as it is

        original = self.original.fget

        def page_references(pdf):
            kids = pdf.pages["Kids"]
            cached = pdf.__dict__.get("_pipeline_page_references")
            if cached is None or cached[0] != len(kids):
                cached = (len(kids), original(pdf))
                pdf.__dict__["_pipeline_page_references"] = cached
            return cached[1]

        self.cls.page_references = property(page_references)

    def __exit__(self, *exc) -> None:
        if isinstance(self.original, property):
            self.cls.page_references = self.original


def _header_scope(document, pdf) -> None:
    """Give each table header cell /Scope /Column (our tables' headers are column headers, <th
    scope="col">). WeasyPrint links data cells to headers with /Headers and /IDs, which is enough for
    PDF/UA; the Scope helps readers and checkers that look at the header cells only."""
    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("S") == "/TH" and isinstance(obj.get("A"), dict):
            obj["A"]["Scope"] = "/Column"


def _confined_fetcher(roots: list[Path], template_roots: list[Path]):
    """WeasyPrint may read files under the source and template folders, and nothing else."""
    from weasyprint.urls import URLFetcher

    class ConfinedFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme != "file":
                raise ValueError(f"not fetched (only files in the source and template folders are read): {url}")
            path = Path(unquote(parts.path)).resolve()
            if not any(path.is_relative_to(root) for root in roots):
                raise ValueError(f"not fetched (outside the source and template folders): {path}")
            found = locate(path, template_roots)
            return super().fetch(found.as_uri() if found != path else url, headers)

    return ConfinedFetcher(allowed_protocols={"file", "data"})


class _captured_logs:
    """Collect WeasyPrint's warnings and errors (it logs bad CSS and missing files instead of raising)."""

    def __enter__(self) -> list[str]:
        self.messages: list[str] = []
        self.logger = logging.getLogger("weasyprint")
        self.handler = logging.Handler(level=logging.WARNING)
        self.handler.emit = lambda record: self.messages.append(record.getMessage())
        self.logger.addHandler(self.handler)
        self.propagate = self.logger.propagate
        self.logger.propagate = False
        return self.messages

    def __exit__(self, *exc) -> None:
        self.logger.removeHandler(self.handler)
        self.logger.propagate = self.propagate

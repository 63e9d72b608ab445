"""WeasyPrint's part of the PDF edition: lay out a checked print HTML (`PrintJob`) and write the PDF.

Kept apart from `pdf.py` (templates, glyph check) and light to import, so a child process can import
WeasyPrint and this module while the parent reads the source, and then receive the job as plain data.

WeasyPrint's file access is confined to the source and template folders, and its warnings (bad CSS, a
file it could not read), which it logs instead of raising, fail the build naming the template. The few
it logs about the machine rather than the document (`ENVIRONMENT_NOTICES`) do not: each becomes one
hint naming what would help.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

from ...errors import Diagnostic, SourceError
from .. import Output

if TYPE_CHECKING:
    from .pressmarks import Press

# The print HTML names the source's images `source:/chapters/figure%201.png`: a URL that does not
# depend on where the source folder sits, since WeasyPrint names each image object in the PDF after
# its URL (an absolute file URL would make the same source give other bytes in another folder).
SOURCE_SCHEME = "source"


def source_url(src: str) -> str:
    """The print HTML's URL of an image at `src` (relative to the source folder), escaped."""
    return f"{SOURCE_SCHEME}:/{quote(src)}"


@dataclass(frozen=True)
class PrintJob:
    """What WeasyPrint needs to lay out the print edition, and nothing of the pipeline: plain data,
    so the layout can run in a process that has imported only WeasyPrint (`lay_out`)."""

    html: str
    base_url: str  # the folder of pdf/book.html, where the HTML's relative URLs resolve
    template: str  # pdf/book.html, named by WeasyPrint's warnings
    filename: str
    source_root: Path  # WeasyPrint may read files here and under the template roots, nowhere else
    template_roots: tuple[Path, ...]  # the designer's folder first, then the built-in one
    options: dict = field(default_factory=dict)
    epoch: int = 0  # the paper's timestamp, in seconds since 1970: the date stamped into subset fonts
    # The press PDF (pressmarks.Press: its bleed and XMP id): finished for the press (page boxes, marks)
    # instead of for reading (tagging), and without the page map, which is the reading PDF's.
    press: Press | None = None
    # The last build's findings about the parts (parallel.GUESS_FILE), the next layout's guess.
    last_parts: bytes = b""
    # The print HTML's length a part aims at (parts.PART_SIZE); 0 lays out the whole in one piece.
    part_size: int | None = None


# What WeasyPrint logs about the machine rather than the document, by the exact format string it logs
# (`record.msg`, WeasyPrint 70), each with the hint shown instead. An explicit list, not a pattern: any
# other warning is about the document (bad CSS, a missing image or glyph) and fails the build.
# Left out on purpose: "Please install HarfBuzz version 13+ with harfbuzz-vector to display %s COLR
# emoji fonts." is about the machine too, but the PDF would then lack what the source shows.
ENVIRONMENT_NOTICES = {
    'Using fontTools instead of HarfBuzz-Subset for font "%s". This will '
    "be unsupported in future versions of WeasyPrint. Please install "
    "HarfBuzz-Subset >= 4.1.0 with your package manager.": (
        "fonts were subset with fontTools, which is slower than HarfBuzz: "
        "install libharfbuzz-subset0 (Debian, Ubuntu) or harfbuzz (other systems) for faster PDF builds"
    ),
}


def lay_out(job: PrintJob) -> Output:
    """WeasyPrint's part: lay out and write the PDF. Its warnings (bad CSS, a file it may not read)
    fail the build, naming the template; its notices about the machine come back as hints."""
    from ... import pagemap

    pdf, document, source, notices = _write(job)
    if job.press is not None:
        return Output({job.filename: pdf}, pages=len(document.pages), notices=notices)
    # Where each heading and block starts, for the editions that cite the print pages; also left in
    # the build folder, for a build of those alone (pipeline/pagemap.py).
    page_map = pagemap.with_pdf(_page_map(source, document), job.filename, pdf)
    files = {job.filename: pdf, pagemap.FILE: page_map.to_json()}
    return Output(files, pages=len(document.pages), notices=notices, page_map=page_map)


@dataclass(frozen=True)
class PartOutput:
    """A part laid out (parts.py): its PDF with only its own pages, and what the merge checks."""

    pdf: bytes
    pages: int  # its own pages, the blank verso at its end included
    anchors: dict[str, int]  # each id it holds -> the page (1 = its first) where it lies
    starts: tuple[tuple[str, int, int], ...]  # the page map's starts, pages counted from 1 in the part
    notices: tuple[str, ...]
    looked_up: frozenset[str]  # the anchors whose page target-counter() or target-text() read
    strings: dict[str, str]  # the last value its pages assign to each named string
    seconds: float = 0.0


def lay_out_part(
    job: PrintJob, stubs: dict[str, int], sentinel: bool, entries: dict[str, str], probe: bool = False
) -> PartOutput:
    """Lay out one part (parts.Part): its pages, then the sentinel's and the stubs' pages, which are
    dropped before the PDF is written. The stubs' anchors move to its last page so that WeasyPrint
    keeps the links to them; the merge points those names at the parts that hold them. A `probe` is
    laid out and not written (no PDF): what it finds is the next round's exact guess."""
    import time

    start = time.perf_counter()
    trimmed: dict = {}

    def trim(document):
        lead, keep = _own_pages(document, stubs, sentinel)
        moved = {name: place for page in document.pages[:lead] for name, place in page.anchors.items()}
        own = document.pages[lead:keep]
        anchors = {}
        for number, page in enumerate(own, 1):
            for name in page.anchors:
                anchors.setdefault(name, number)
        own[-1].anchors.update({name: place for name, place in moved.items() if name not in own[-1].anchors})
        trimmed.update(anchors=anchors, lead=lead)
        return document.copy(own)

    from . import parthooks

    with parthooks.carried(entries, stubs) as seen:
        pdf, document, source, notices = _write(job, trim, write=not probe)
    starts = _page_map(source, document).starts
    anchors = {name: page for name, page in trimmed["anchors"].items() if name not in stubs}
    strings = parthooks.own_strings(seen, trimmed["lead"], len(document.pages))
    return PartOutput(
        pdf,
        len(document.pages),
        anchors,
        starts,
        notices,
        frozenset(seen.looked_up),
        strings,
        time.perf_counter() - start,
    )


class PartNotAsPlanned(Exception):
    """A part's pages are not as parts.py laid them out to be (a template that moved the stubs' page
    or the sentinel's): the PDF is then laid out in one piece."""


def _own_pages(document, stubs, sentinel: bool) -> tuple[int, int]:
    """Where the part's own pages start and end: after the stub page and the blank one after it,
    before the sentinel's page."""
    from .parts import LEAD, SENTINEL, STUBS

    pages = document.pages
    lead = LEAD if stubs else 0
    if stubs and not (
        len(pages) > LEAD
        and stubs.keys() <= pages[0].anchors.keys()
        and not pages[1].anchors
        and not _holds_sentinel(pages[1]._page_box, None)
        and not _holds_sentinel(pages[LEAD]._page_box, STUBS)
    ):
        raise PartNotAsPlanned("the stubs' page is not the part's first, before a blank one")
    if not sentinel:
        return lead, len(pages)
    for index in range(lead, len(pages)):
        if _holds_sentinel(pages[index]._page_box, SENTINEL):
            if index == lead:
                break
            return lead, index
    raise PartNotAsPlanned("no page of the part's own before the sentinel's")


def _holds_sentinel(box, attribute: str | None) -> bool:
    """Whether a box under `box` is of an element with `attribute` (None: of any element in <body>)."""
    todo = [box]
    while todo:
        box = todo.pop()
        element = getattr(box, "element", None)
        if element is not None and getattr(element, "get", None):
            if attribute is None:
                tag = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
                if tag not in ("html", "body"):
                    return True
            elif element.get(attribute) is not None:
                return True
        todo.extend(getattr(box, "children", ()))
    return False


def _page_map(source, document):
    from ... import pagemap
    from .pagination import page_starts

    return pagemap.PageMap(page_starts(source.etree_element, document), len(document.pages))


def _write(job: PrintJob, trim=None, write: bool = True):
    """Lay out and write: (PDF bytes, the document written, the HTML source, notices); `trim` may
    choose the pages written. WeasyPrint's problems raise SourceError naming the template."""
    import weasyprint  # imported here: it is the slowest import (~0.5 s), and only this edition needs it

    from . import margins, pressmarks, tagging
    from .pages import render_without_broken_page_ends  # imports WeasyPrint too

    with _captured_logs() as logs, _source_date_epoch(job.epoch), tagging.marked_hyphens(), tagging.labelled_numbers():
        fetcher = _confined_fetcher(job.source_root, list(job.template_roots))
        source = weasyprint.HTML(string=job.html, base_url=job.base_url, url_fetcher=fetcher)
        document = render_without_broken_page_ends(source, **job.options)
        if trim is not None:
            document = trim(document)
        if f'class="{margins.CLASS}"' in job.html:
            margins.to_outer_margin(document)
        finish = tagging.finish if job.press is None else pressmarks.finisher(job.press)
        pdf = b""
        if write:
            with _cached_page_references():
                pdf = document.write_pdf(finisher=finish, **job.options)
    if logs.problems:
        raise SourceError([Diagnostic(job.template, 1, f"WeasyPrint: {m}") for m in logs.problems])
    return pdf, document, source, tuple(logs.notices)


class _source_date_epoch:
    """fontTools, which subsets the fonts where the HarfBuzz subsetter is not installed, stamps each
    subset font's `head.modified` with the time now, unless SOURCE_DATE_EPOCH is set: set it to the
    paper's timestamp while the PDF is made, so that the PDF's bytes do not depend on when."""

    def __init__(self, epoch: int) -> None:
        self.epoch = str(epoch)

    def __enter__(self) -> None:
        self.before = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = self.epoch

    def __exit__(self, *exc) -> None:
        if self.before is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = self.before


class _cached_page_references:
    """pydyf's `PDF.page_references` builds a tuple of every page's reference on each call, and
    WeasyPrint's tagging calls it once per structure element: quadratic, about 1 s of the 7 s
    `write_pdf` of the 311-page book at 10x. While the PDF is written, the tuple is kept until a page
    is added: the same values, so the same bytes (tested)."""

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


def _confined_fetcher(source_root: Path, template_roots: list[Path]):
    """WeasyPrint may read files under the source and template folders, and nothing else."""
    from weasyprint import URLFetcher  # public API (weasyprint.__all__), not an internal

    from ...templates import resolve_inside

    class ConfinedFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == SOURCE_SCHEME:
                path = (source_root / unquote(parts.path).lstrip("/")).resolve()
                if not path.is_relative_to(source_root):
                    raise ValueError(f"not fetched (outside the source folder): {path}")
                return super().fetch(path.as_uri(), headers)
            if parts.scheme != "file":
                raise ValueError(f"not fetched (only files in the source and template folders are read): {url}")
            path = Path(unquote(parts.path)).resolve()
            found = locate(path, template_roots)
            # The file found, not only the URL, must be inside: a fallback may be a symlink out.
            if resolve_inside(found, (source_root, *template_roots)) is None:
                raise ValueError(f"not fetched (outside the source and template folders): {found}")
            return super().fetch(found.as_uri() if found != path else url, headers)

    return ConfinedFetcher(allowed_protocols={"file", "data"})


@dataclass
class _Logs:
    problems: list[str] = field(default_factory=list)  # about the document: they fail the build
    notices: dict[str, None] = field(default_factory=dict)  # hints about the machine, once each

    def take(self, record: logging.LogRecord) -> None:
        if record.levelno < logging.WARNING:
            self._add_reason(record)
            return
        hint = ENVIRONMENT_NOTICES.get(record.msg) if isinstance(record.msg, str) else None
        if hint is None:
            self.problems.append(record.getMessage())
        else:
            self.notices[hint] = None

    def _add_reason(self, record: logging.LogRecord) -> None:
        """WeasyPrint logs "Failed to load image at '…': " with the reason left out (a bare
        ImageLoadingError raised from Pillow's error), then the exception itself at DEBUG level:
        give the problem its reason from there."""
        exception = record.exc_info[1] if record.exc_info else None
        if exception is None or not self.problems or not self.problems[-1].endswith(": "):
            return
        cause = exception.__cause__ or exception.__context__ or exception
        self.problems[-1] += f"{type(cause).__name__}: {cause}" if str(cause) else type(cause).__name__


class _captured_logs:
    """Collect WeasyPrint's warnings and errors (it logs bad CSS and missing files instead of raising)."""

    def __enter__(self) -> _Logs:
        self.logs = _Logs()
        self.logger = logging.getLogger("weasyprint")
        self.handler = logging.Handler(level=logging.DEBUG)  # DEBUG for the reasons (see _add_reason)
        self.handler.emit = self.logs.take
        self.logger.addHandler(self.handler)
        self.propagate, self.level = self.logger.propagate, self.logger.level
        self.logger.propagate = False
        self.logger.setLevel(logging.DEBUG)
        return self.logs

    def __exit__(self, *exc) -> None:
        self.logger.removeHandler(self.handler)
        self.logger.propagate = self.propagate
        self.logger.setLevel(self.level)


def locate(path: Path, roots: list[Path]) -> Path:
    """A file in a designer's templates folder that is not there falls back to the built-in one of the
    same relative path, as templates do (a print.css override still finds ../fonts/)."""
    if path.is_file():
        return path
    for root in roots:
        if path.is_relative_to(root):
            relative = path.relative_to(root)
            for other in roots:
                if (other / relative).is_file():
                    return other / relative
    return path

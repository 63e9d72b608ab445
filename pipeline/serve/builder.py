"""The warm builder of `pipeline serve`: one thread that rebuilds what a change touches and keeps what
the preview page shows (the editions' times and sizes, the PDF's page images, the EPUB's files, the
problems of a failed build).

Warm: the process keeps its imports (WeasyPrint is imported before the first build, so the PDF's
forked process starts with it), one `Templates` (Jinja keeps every unchanged template compiled) and the
last good editions. The web edition is rendered and published first, before the slow editions, so an
edit shows in the browser while the PDF is still being laid out. A change that comes in the middle of
a build stops it (the PDF's process is ended) and starts exactly one more, for everything either asked.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..build import downloads, prepare, render_order, start_worker, usable_cores
from ..buildfolder import publish
from ..errors import Diagnostic, SourceError
from ..render import Context, Output, registry
from ..render.edition import Edition, Worker
from ..templates import BUILTIN, Templates
from .pages import PageImages, docx_pages
from .reading import EpubBook


def every_edition() -> frozenset[str]:
    """What the preview builds: every edition but the optional ones (the press PDF is for the printer)."""
    return frozenset(registry.default_names())


def readers_of(folder: str) -> frozenset[str]:
    """The editions that read a template folder (all of them for a file outside every edition's)."""
    found = frozenset(e.name for e in registry.editions() if folder in e.templates and not e.optional)
    return found or every_edition()


STOP_SECONDS = 0.6


class Superseded(Exception):
    """A newer change came in: this build stops, and the next one does its work too."""


@dataclass
class EditionStatus:
    seconds: float
    size: int
    pages: int | None = None
    built: float = field(default_factory=time.time)


@dataclass
class State:
    """What the preview page shows. Replaced as a whole under the builder's lock, read as a snapshot."""

    version: int = 0  # counts every change the page should hear of
    web: int = 0  # counts every new web edition published
    building: str = ""  # what is being built now ("" when idle)
    editions: dict[str, EditionStatus] = field(default_factory=dict)
    errors: tuple[Diagnostic, ...] = ()
    pdf: PageImages | None = None
    epub: EpubBook | None = None
    docx: PageImages | None = None
    docx_note: str = ""
    builds: int = 0  # builds started (for the tests of debouncing)

    def as_json(self) -> dict:
        return {
            "version": self.version,
            "web": self.web,
            "building": self.building,
            "builds": self.builds,
            "editions": {
                name: {"seconds": round(s.seconds, 3), "size": s.size, "pages": s.pages, "built": s.built}
                for name, s in self.editions.items()
            },
            "errors": [{"path": d.path, "line": d.line, "message": d.message} for d in self.errors],
            "pdf": self.pdf.as_json() if self.pdf else None,
            "epub": self.epub.as_json() if self.epub else None,
            "docx": self.docx.as_json() if self.docx else None,
            "docx_note": self.docx_note,
        }


class WarmBuilder:
    def __init__(self, source: Path, out: Path, templates: Path | None, notify: Callable[[], None] = lambda: None):
        self.source = Path(source)
        self.out = Path(out)
        self.templates_dir = Path(templates) if templates else None
        self.notify = notify
        self.state = State()
        self.lock = threading.Lock()  # guards state and pending
        self.publishing = threading.Lock()  # held while files move into the build folder
        self.pending: set[str] = set()
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.children: dict[str, Worker] = {}
        self.templates: Templates | None = None
        self.thread = threading.Thread(target=self._loop, name="pipeline-serve-builder", daemon=True)
        self.idle = threading.Event()

    # --- requests -------------------------------------------------------------------------------------

    def start(self) -> None:
        for edition in registry.editions():  # imported once: every worker forks with it
            if edition.preload is not None:
                edition.preload()
        self.request(every_edition())
        self.thread.start()

    def request(self, kinds: Iterable[str]) -> None:
        with self.lock:
            self.pending |= set(kinds)
            self.idle.clear()
        self.wake.set()

    def kinds_for(self, paths: Iterable[Path]) -> set[str]:
        """The editions a change to these files touches: those that read the template folder it is in,
        all of them for the source or a top-level template file (theme.yaml)."""
        kinds: set[str] = set()
        roots = [r for r in (self.templates_dir, BUILTIN) if r is not None]
        for path in paths:
            path = Path(path).absolute()
            for root in roots:
                root = root.absolute()
                if path.is_relative_to(root):
                    inside = path.relative_to(root).parts
                    kinds |= readers_of(inside[0]) if len(inside) > 1 else every_edition()
                    break
            else:
                kinds |= every_edition()  # the source folder
        return kinds

    def stop(self) -> None:
        """End the builder: the PDF's process is stopped, and a commit in progress finishes first."""
        self.stopping.set()
        self.wake.set()
        children = list(self.children.values())
        for child in children:
            child.terminate()
        if self.thread.is_alive():
            # LibreOffice's temporary folder is removed on the builder's way out; a render in
            # progress (in memory, nothing written) is not waited for.
            self.thread.join(STOP_SECONDS)
        for child in children:
            child.stop()  # its temporary folder too, if the builder is still in a render
        with self.publishing:  # waits for files being moved in; no build publishes after this
            pass

    def snapshot(self) -> State:
        with self.lock:
            return self.state

    def _update(self, **changes) -> None:
        with self.lock:
            self.state = replace(self.state, version=self.state.version + 1, **changes)
        self.notify()

    # --- the loop ---------------------------------------------------------------------------------------

    def _loop(self) -> None:
        while not self.stopping.is_set():
            self.wake.wait()
            with self.lock:
                kinds, self.pending = self.pending, set()
                self.wake.clear()
                if not kinds:
                    self.idle.set()
                    continue
                self.state = replace(self.state, builds=self.state.builds + 1)
            try:
                self._build(kinds)
            except Superseded:
                self.request(kinds)  # the work it did not finish, with the newer change
            except SourceError as exc:
                self._update(errors=tuple(exc.diagnostics), building="")
            except Exception as exc:  # a bug: shown like a problem, and the server keeps serving
                where = traceback.extract_tb(exc.__traceback__)[-1]
                problem = Diagnostic(where.filename, where.lineno or 1, f"internal error: {type(exc).__name__}: {exc}")
                self._update(errors=(problem,), building="")
            with self.lock:
                if not self.pending:
                    self.idle.set()

    def _check(self) -> None:
        if self.stopping.is_set() or self.pending:
            raise Superseded

    def _publish(self, editions: dict[str, dict[str, bytes]]) -> None:
        with self.publishing:
            if self.stopping.is_set():
                raise Superseded
            publish(self.out, editions)

    def _build(self, kinds: set[str]) -> None:
        self._update(building=", ".join(sorted(kinds)))
        if self.templates is None or self.templates.user_dir != self.templates_dir:
            self.templates = Templates(self.templates_dir)
        # An edition's own process forks first, so it is ready when its job is (as in `pipeline build`).
        chosen = render_order(e for e in registry.editions() if e.name in kinds)
        if usable_cores() > 1:
            for e in chosen:
                if e.worker is not None and (worker := start_worker(e)) is not None:
                    self.children[e.name] = worker
        try:
            self._build_with(chosen, dict(self.children))
        finally:
            children, self.children = self.children, {}
            for child in children.values():
                child.stop()

    def _build_with(self, chosen: list[Edition], children: dict[str, Worker]) -> None:
        doc, tmpl, theme = prepare(self.source, self.templates)
        ctx = Context(tmpl, options={}, theme=theme, build_folder=self.out)
        editions = dict(self.state.editions)
        listing = [e for e in registry.editions() if e.lists_downloads]
        # 1. The web page at once, listing the downloads as the build folder has them now.
        first = replace(ctx, downloads=downloads(doc, self.out, {}, theme))
        pages = {e.name: self._render(e, doc, first) for e in listing}
        self._publish({name: r.files for name, r in pages.items()})
        for name, r in pages.items():
            editions[name] = EditionStatus(r.seconds, r.size)
        self._update(editions=dict(editions), errors=(), web=self.state.web + 1)
        self._check()
        # 2. The slow editions, those with a process of their own (the PDF) while this one renders the rest.
        results: dict[str, Timed] = {}
        start = time.perf_counter()
        slow = [e for e in chosen if not e.lists_downloads]
        for e in slow:
            if e.name in children:
                children[e.name].send(e.job(doc, ctx))
        for e in slow:
            if e.name not in children:
                self._update(building=e.name)
                results[e.name] = self._render(e, doc, ctx)
                self._check()
        for name, child in children.items():
            self._update(building=name)
            while not child.ready(0.05):
                self._check()
            self._check()
            output, _ = child.result()
            results[name] = Timed(Output.of(output), time.perf_counter() - start)
        if not results:
            self._update(building="")
            return
        self._check()
        pdf_images = self.state.pdf
        if "pdf" in results:  # shown at once, before the files are written
            pdf_images = PageImages.of(_only_file(results["pdf"].output, ".pdf"), self.state.pdf)
            self._update(pdf=pdf_images)
        epub_book = self.state.epub
        if "epub" in results:
            epub_book = EpubBook.of(_only_file(results["epub"].output, ".epub"))
        self._check()
        built = {name: r.output.files for name, r in results.items()}
        last = replace(
            ctx, downloads=downloads(doc, self.out, {n: _Files(r.output.files) for n, r in results.items()}, theme)
        )
        pages = {e.name: self._render(e, doc, last) for e in listing}
        self._publish({**built, **{name: r.files for name, r in pages.items()}})
        for name, r in results.items():
            editions[name] = EditionStatus(r.seconds, r.size, r.output.pages)
        self._update(
            editions=dict(editions),
            errors=(),
            building="",
            web=self.state.web + 1,
            pdf=pdf_images,
            epub=epub_book,
        )
        if "docx" in results:
            self._docx_pages(_only_file(results["docx"].output, ".docx"))

    def _docx_pages(self, data: bytes) -> None:
        """The DOCX's pages, laid out by LibreOffice when it is installed (seconds: done last)."""
        self._update(building="docx pages")
        images, note = docx_pages(data, self.state.docx, self.stopping)
        self._update(docx=images or self.state.docx, docx_note=note, building="")

    def _render(self, edition: Edition, doc, ctx) -> Timed:
        start = time.perf_counter()
        output = Output.of(edition.render(doc, ctx))
        return Timed(output, time.perf_counter() - start)


@dataclass(frozen=True)
class Timed:
    output: Output
    seconds: float

    @property
    def files(self) -> dict[str, bytes]:
        return self.output.files

    @property
    def size(self) -> int:
        return sum(len(d) for d in self.output.files.values())


@dataclass(frozen=True)
class _Files:
    """What build.downloads reads of a build result: its files."""

    files: dict[str, bytes]


def _only_file(output: Output, suffix: str) -> bytes:
    return next(data for name, data in output.files.items() if name.endswith(suffix))

"""A build: read the source once, render the chosen editions, then write them all or nothing (buildfolder)."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .buildfolder import commit, holding, published
from .errors import Diagnostic, SourceError
from .model import Document, Numbering
from .numbering import apply as apply_numbering
from .pdf_process import PdfProcess
from .render import Context, Download, Output

if TYPE_CHECKING:
    from .templates import Templates

# The web edition comes last: it lists the others as downloads, measured from their real bytes.
EDITIONS = ("pdf", "epub", "docx", "html")  # the render order; each is the module pipeline.render.<name>
FORMATS = ("html", "pdf", "epub", "docx")  # as users name them
DOWNLOADABLE = ("pdf", "epub", "docx")


def edition(name: str):
    """The renderer module of an edition, imported when first needed: a PDF-only build does not pay
    for python-docx or ebooklib, nor the others for WeasyPrint."""
    return importlib.import_module(f".render.{name}", __package__)


@dataclass(frozen=True)
class Result:
    format: str
    files: dict[str, bytes]
    seconds: float
    pages: int | None = None  # the PDF's page count, from its layout (for the progress line)
    notices: tuple[str, ...] = ()  # hints about the machine, not problems in the source

    @property
    def size(self) -> int:
        return sum(len(data) for data in self.files.values())

    @classmethod
    def of(cls, name: str, rendered, seconds: float) -> Result:
        output = Output.of(rendered)
        return cls(name, output.files, seconds, output.pages, output.notices)


def build(
    source: str | Path,
    out: str | Path,
    formats: tuple[str, ...] = FORMATS,
    templates: str | Path | None = None,
    options: dict | None = None,
    progress=None,
) -> list[Result]:
    """Build the editions; raises SourceError (and writes nothing) if the source or a template is bad."""
    out = Path(out)
    options = options or {}
    # The PDF's layout is the long pole. On a machine with a second core its process starts at once
    # and imports WeasyPrint while this one reads the source and the templates; it then lays out the
    # PDF while this one renders the others. It is stopped if the build fails or is interrupted.
    child = _start_pdf_process() if "pdf" in formats and usable_cores() > 1 else None
    try:
        doc, tmpl, theme = prepare(source, templates)
        ctx = Context(tmpl, options=options, theme=theme)
        results = []
        job_seconds = 0.0
        if "pdf" in formats:
            if child is not None:
                start = time.perf_counter()
                child.send(edition("pdf").print_job(doc, ctx))  # checked here: its errors are ours
                job_seconds = time.perf_counter() - start
            else:
                results.append(_render("pdf", doc, ctx, progress))
        for name in EDITIONS:
            if name in formats and name not in ("html", "pdf"):
                results.append(_render(name, doc, ctx, progress))
        if child is not None:
            output, seconds = child.result()
            pdf = Result.of("pdf", output, job_seconds + seconds)
            if progress:
                progress(pdf)
            results.insert(0, pdf)
    finally:
        if child is not None:
            child.stop()
    # Held from here to the commit: the downloads the web edition lists, read from the build folder,
    # are not replaced by another build meanwhile.
    with holding(out):
        # A web edition already published lists the downloads with their size and SHA-256: when a
        # build replaces one of them (`--formats pdf`), the web edition is rebuilt too, or it lies.
        if "html" in formats or "html" in published(out):
            downloads = _downloads(doc, out, {r.format: r for r in results})
            results.append(_render("html", doc, replace(ctx, downloads=downloads), progress))
        inputs = [Path(source), *([tmpl.user_dir] if tmpl.user_dir is not None else [])]
        commit(out, {result.format: result.files for result in results}, inputs)
    return results


def _start_pdf_process() -> PdfProcess | None:
    """The PDF's process, or None (the PDF is then laid out in this one) if the machine cannot give
    one: a process limit (fork: EAGAIN), no memory for it, or no file descriptor left for its pipe."""
    try:
        return PdfProcess()
    except OSError:
        return None


def usable_cores() -> int:
    """The cores this process may run on (taskset, a container's cpuset), not the machine's."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def prepare(source: str | Path, templates: str | Path | Templates | None = None) -> tuple[Document, Templates, dict]:
    """The model as the editions see it, the template search path, and the resolved theme settings.

    `templates` may be a Templates already made (`pipeline serve` keeps one between builds, so that
    Jinja's cache keeps every unchanged template compiled; Jinja recompiles a changed file by itself)."""
    # Imported here, not at the top: build() starts the PDF child first, and the child needs none of it.
    from .reader import read_source
    from .templates import Templates
    from .theme import resolve as resolve_theme

    # The source, the templates and the theme are each checked even when another has failed, so one
    # run reports every problem.
    problems: list[Diagnostic] = []
    doc = tmpl = None
    try:
        doc = with_source_date_epoch(read_source(source))
    except SourceError as exc:
        problems += exc.diagnostics
    try:
        tmpl = templates if isinstance(templates, Templates) else Templates(templates)
        tmpl.check_syntax()
    except SourceError as exc:
        problems += exc.diagnostics
    try:
        user_dir = tmpl.user_dir if tmpl is not None else None
        paper_theme = dict(doc.meta.theme) if doc is not None else None
        theme = dict(resolve_theme(user_dir, paper_theme, Path(source) / "paper.yaml"))
    except SourceError as exc:
        problems += exc.diagnostics
    if problems:
        raise SourceError(problems)
    if doc.meta.numbering is None:  # the paper leaves numbering to the theme
        doc = replace(doc, chapters=apply_numbering(doc.chapters, Numbering(**theme["numbering"])))
    return doc, tmpl, theme


def with_source_date_epoch(doc: Document) -> Document:
    """Honour SOURCE_DATE_EPOCH (reproducible-builds.org) as the editions' timestamp, if set."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return doc
    try:
        stamp = dt.datetime.fromtimestamp(int(value), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise SourceError(
            [Diagnostic("SOURCE_DATE_EPOCH", 1, f"must be whole seconds since 1970, not {value!r}")]
        ) from None
    return replace(doc, meta=replace(doc.meta, modified=stamp))


def _render(name: str, doc: Document, ctx: Context, progress) -> Result:
    start = time.perf_counter()
    rendered = edition(name).render(doc, ctx)
    result = Result.of(name, rendered, time.perf_counter() - start)
    if progress:
        progress(result)
    return result


def _downloads(doc: Document, out: Path, built: dict[str, Result]) -> tuple[Download, ...]:
    """The downloadable editions of this build, or those already in the build folder."""
    found = []
    for name in DOWNLOADABLE:
        module = edition(name)
        filename = module.outputs(doc.meta)[0]
        if name in built:
            data = built[name].files[filename]
        elif _plain_file(out / filename):  # never through a link: it could lead to any file
            data = (out / filename).read_bytes()
        else:
            continue
        found.append(
            Download(name, module.LABEL, filename, len(data), hashlib.sha256(data).hexdigest(), module.MEDIA_TYPE)
        )
    return tuple(found)


def _plain_file(path: Path) -> bool:
    return not path.is_symlink() and path.is_file()

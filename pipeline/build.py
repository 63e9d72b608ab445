"""A build: read the source once, render the chosen editions, then write them all or nothing (buildfolder)."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import pagemap
from .buildfolder import commit, holding, published
from .model import Document
from .render import Context, Download, Output, registry
from .render.edition import Edition, Worker

if TYPE_CHECKING:
    from .templates import Templates


@dataclass(frozen=True)
class Result:
    format: str
    files: dict[str, bytes]
    seconds: float
    pages: int | None = None  # the page count, where the edition lays out pages (for the progress line)
    notices: tuple[str, ...] = ()  # hints about the machine, not problems in the source
    page_map: pagemap.PageMap | None = None  # where the blocks start, from the edition that lays out pages

    @property
    def size(self) -> int:
        return sum(len(data) for data in self.files.values())

    @classmethod
    def of(cls, name: str, rendered, seconds: float) -> Result:
        output = Output.of(rendered)
        return cls(name, output.files, seconds, output.pages, output.notices, output.page_map)


def formats() -> tuple[str, ...]:
    """Every edition's name, as users name them (`--formats`)."""
    return registry.names()


def render_order(chosen: Iterable[Edition]) -> list[Edition]:
    """Those with a process of their own first (it lays out while the others render), then the others,
    then those that cite the print pages (they need the page map), those that list the downloads last
    (they need the others' real bytes); otherwise as registered."""
    return sorted(chosen, key=lambda e: (e.lists_downloads, e.cites_pages, e.worker is None))


def build(
    source: str | Path,
    out: str | Path,
    formats: Iterable[str] | None = None,
    templates: str | Path | None = None,
    options: dict | None = None,
    progress=None,
    own_processes: bool = True,
) -> list[Result]:
    """Build the editions (all but the optional ones by default); raises SourceError (and writes nothing)
    if the source or a template is bad. `own_processes=False`: every edition renders in this process
    (a catalogue's pool worker, which already has a core of its own: a PDF process each would oversubscribe)."""
    out = Path(out)
    options = options or {}
    chosen = render_order(registry.get(name) for name in (formats or registry.default_names()))
    # An edition with its own process (the PDF's layout is the long pole) has it started at once, on
    # a machine with a second core: it imports what it needs while this one reads the source and the
    # templates, then renders while this one renders the others. It is stopped if the build fails or
    # is interrupted.
    workers = {e.name: start_worker(e) for e in chosen if e.worker is not None and own_processes and usable_cores() > 1}
    workers = {name: worker for name, worker in workers.items() if worker is not None}
    try:
        doc, tmpl, theme = prepare(source, templates)
        ctx = Context(tmpl, options=options, theme=theme, build_folder=out)
        results: dict[str, Result] = {}
        job_seconds: dict[str, float] = {}
        for e in chosen:
            if e.lists_downloads or e.cites_pages:
                continue
            if e.name in workers:
                started = time.perf_counter()
                workers[e.name].send(e.job(doc, ctx))  # made and checked here: its problems are ours
                job_seconds[e.name] = time.perf_counter() - started
            else:
                results[e.name] = _render(e, doc, ctx, progress)
        for name, worker in workers.items():
            output, seconds = worker.result()
            results[name] = Result.of(name, output, job_seconds[name] + seconds)
            if progress:
                progress(results[name])
    finally:
        for worker in workers.values():
            worker.stop()
    # Held from here to the commit: the downloads listed, read from the build folder, are not
    # replaced by another build meanwhile.
    with holding(out):
        # An edition already published lists the downloads with their size and SHA-256: when a build
        # replaces one of them (`--formats pdf`), that edition is rebuilt too, or it lies.
        citing = [e for e in chosen if e.cites_pages and not e.lists_downloads]
        if citing:
            ctx = replace(ctx, page_map=page_map(doc, out, results))
        for e in citing:
            results[e.name] = _render(e, doc, ctx, progress)
        listing = [e for e in registry.editions() if e.lists_downloads and (e in chosen or e.name in published(out))]
        if listing:
            ctx = replace(ctx, downloads=downloads(doc, out, results, ctx.theme))
        for e in listing:
            results[e.name] = _render(e, doc, ctx, progress)
        inputs = [Path(source), *([tmpl.user_dir] if tmpl.user_dir is not None else [])]
        commit(out, {name: result.files for name, result in results.items()}, inputs)
    order = [e.name for e in chosen] + [e.name for e in listing if e not in chosen]
    return [results[name] for name in sorted(results, key=order.index)]


def start_worker(edition: Edition) -> Worker | None:
    """The edition's own process, or None (it then renders in this one) if the machine cannot give one:
    a process limit (fork: EAGAIN), no memory for it, or no file descriptor left for its pipe."""
    try:
        return edition.worker()
    except OSError:
        return None


def usable_cores() -> int:
    """The cores this process may run on (taskset, a container's cpuset), not the machine's."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def prepare(source: str | Path, templates: str | Path | Templates | None = None) -> tuple[Document, Templates, dict]:
    """The model as the editions see it (numbered once, from the paper or the theme), the template
    search path, and the resolved theme settings (look.load)."""
    # Imported here, not at the top: build() starts an edition's own process first, and the child needs none of it.
    from .look import load

    doc, look = load(source, templates)
    return doc, look.templates, dict(look.theme)


def _render(edition: Edition, doc: Document, ctx: Context, progress) -> Result:
    start = time.perf_counter()
    result = Result.of(edition.name, edition.render(doc, ctx), time.perf_counter() - start)
    if progress:
        progress(result)
    return result


def page_map(doc: Document, out: Path, built: Mapping[str, Result]) -> pagemap.PageMap | None:
    """The PDF's page map: as this build laid it out, else as the build folder's PDF has it (a build of
    the EPUB alone after the PDF's, as make runs them); None without a PDF, or one of another paper."""
    for e in registry.editions():
        if not e.makes_page_map:
            continue
        if e.name in built:
            found = built[e.name].page_map
        else:
            found = pagemap.read(out, e.filename(doc.meta))
        if found is not None:
            return found.for_model(doc)
    return None


def downloads(
    doc: Document, out: Path, built: Mapping[str, Result], theme: Mapping | None = None
) -> tuple[Download, ...]:
    """The downloadable editions (those the theme makes downloads too: the press PDF with
    `press_download: true`): as this build made them, else as the build folder has them."""
    found = []
    for e in registry.editions():
        if not e.offered(theme or {}):
            continue
        filename = e.filename(doc.meta)
        if e.name in built:
            data = built[e.name].files[filename]
        elif _plain_file(out / filename):  # never through a link: it could lead to any file
            data = (out / filename).read_bytes()
        else:
            continue
        found.append(Download(e.name, e.label, filename, len(data), hashlib.sha256(data).hexdigest(), e.media_type))
    return tuple(found)


def _plain_file(path: Path) -> bool:
    return not path.is_symlink() and path.is_file()

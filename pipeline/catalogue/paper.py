"""One paper of a catalogue, built: a job in, an outcome out, both plain data that cross a process
(a pool worker) or a network (a Dask worker). The build is the one builder's (build.build), so a
paper's editions are the same bytes as `pipeline build` makes of its folder.

A local job builds straight into `<out>/<slug>/` (written all or nothing; a failure leaves the last
good editions). A remote job carries its source's files, builds in a temporary folder on the worker,
and sends the editions back as bytes for the caller to commit: no disk is shared."""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..buildfolder import MANIFEST
from ..errors import Collector, Diagnostic, SourceError


@dataclass(frozen=True)
class Job:
    slug: str  # the paper's folder name: its place in the site, `<out>/<slug>/`
    source: str  # the source folder, as the user named it (messages name it so)
    stamp: str
    out: str | None = None  # build into this folder; None: send the editions back (a remote worker)
    templates: str | None = None
    options: Mapping = field(default_factory=dict)
    own_processes: bool = True  # the PDF in a process of its own (build.build)
    source_files: Mapping[str, bytes] | None = None  # the source, shipped to a worker with no shared disk
    template_files: Mapping[str, bytes] | None = None


@dataclass(frozen=True)
class Outcome:
    slug: str
    seconds: float
    record: dict | None = None  # metadata and editions (stamp.RECORD), when it built
    diagnostics: tuple[Diagnostic, ...] = ()  # the source's problems, when it did not
    error: str = ""  # the machine's problem (out of memory, a full disk), when it did not
    editions: Mapping[str, Mapping[str, bytes]] | None = None  # {edition: {path: bytes}}: a remote build's

    @property
    def ok(self) -> bool:
        return self.record is not None


def run(job: Job) -> Outcome:
    """Build one paper; never raises for the paper's or the machine's problems (they are the outcome),
    so one paper's failure stops none of the others."""
    started = time.perf_counter()
    try:
        if job.source_files is None:
            return _local(job, started)
        return _remote(job, started)
    except SourceError as exc:
        return Outcome(job.slug, time.perf_counter() - started, diagnostics=tuple(exc.diagnostics))
    except ChildProcessError as exc:
        return Outcome(job.slug, time.perf_counter() - started, error=f"{exc} (is the machine out of memory?)")
    except Exception as exc:  # noqa: BLE001 - reported per paper; the others still publish
        return Outcome(job.slug, time.perf_counter() - started, error=f"internal error: {type(exc).__name__}: {exc}")


def _local(job: Job, started: float) -> Outcome:
    from ..build import build

    out = Path(job.out)
    results = build(
        job.source, out, templates=job.templates, options=dict(job.options), own_processes=job.own_processes
    )
    files = {r.format: r.files for r in results}
    return Outcome(job.slug, time.perf_counter() - started, record=record(job, Path(job.source), files))


def _remote(job: Job, started: float) -> Outcome:
    from ..build import build

    with tempfile.TemporaryDirectory(prefix="pipeline-paper-") as tmp:
        source = _unpack(Path(tmp) / "source", job.source_files)
        templates = _unpack(Path(tmp) / "templates", job.template_files) if job.template_files is not None else None
        out = Path(tmp) / "out"
        try:
            build(source, out, templates=templates, options=dict(job.options), own_processes=job.own_processes)
        except SourceError as exc:  # named as the user named them, not as the worker's temporary copy
            renames = {str(source): job.source, **({str(templates): job.templates} if templates else {})}
            raise SourceError([_renamed(d, renames) for d in exc.diagnostics]) from None
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        editions = {name: {f: (out / f).read_bytes() for f in names} for name, names in manifest.items()}
        return Outcome(job.slug, time.perf_counter() - started, record=record(job, source, editions), editions=editions)


def _unpack(root: Path, files: Mapping[str, bytes]) -> Path:
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    root.mkdir(parents=True, exist_ok=True)
    return root


def _renamed(d: Diagnostic, renames: Mapping[str, str]) -> Diagnostic:
    for temporary, shown in renames.items():
        if d.path == temporary or d.path.startswith(temporary + "/"):
            return Diagnostic(shown + d.path[len(temporary) :], d.line, d.message)
    return d


def pack(folder: Path) -> dict[str, bytes]:
    """A folder's files as {relative path: bytes}, for a worker that does not share this disk."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def record(job: Job, source: Path, editions: Mapping[str, Mapping[str, bytes]]) -> dict:
    """What the home page lists of a paper: its metadata and each edition's file, size and SHA-256."""
    from ..meta import read_metadata
    from ..render import registry

    meta, _contents = read_metadata(source / "paper.yaml", Collector())  # read once more: it just built
    listed = []
    for e in registry.editions():
        if e.name not in editions or meta is None:
            continue
        name = e.filename(meta)
        data = editions[e.name].get(name)
        if data is not None:
            listed.append(
                {
                    "name": e.name,
                    "label": e.label,
                    "file": name,
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "media_type": e.media_type,
                }
            )
    fields = ("title", "subtitle", "date", "issuer", "publisher", "description", "language", "identifier", "slug")
    return {
        "stamp": job.stamp,
        "meta": {
            **{f: getattr(meta, f) for f in fields},
            "released": meta.released_iso,
            "keywords": list(meta.keywords),
        },
        "editions": listed,
    }

"""A catalogue's build: which papers changed (stamp), their builds fanned out to the cores this
process may use or to a Dask cluster (both through a concurrent.futures Executor), one progress line
per paper as each ends, then the site's pages, written all or nothing."""

from __future__ import annotations

import concurrent.futures
import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..buildfolder import publish
from ..errors import Collector, Diagnostic, SourceError
from . import paper, search, site, stamp
from .config import FILE, read_config

DASK = "dask://"


@dataclass(frozen=True)
class Summary:
    built: tuple[str, ...]
    unchanged: tuple[str, ...]
    failed: tuple[paper.Outcome, ...]
    listed: tuple[str, ...]  # the papers on the home page (a failed one with an earlier good build too)
    notes: tuple[str, ...] = ()


def folders(papers: Path) -> list[str]:
    """The paper folders: each folder of `papers` with a paper.yaml (hidden ones left out)."""
    if not papers.is_dir():
        raise SourceError([Diagnostic(str(papers), 1, "catalogue folder not found")])
    found = sorted(p.name for p in papers.iterdir() if not p.name.startswith(".") and (p / "paper.yaml").is_file())
    if not found:
        raise SourceError([Diagnostic(str(papers), 1, "no paper folders (<slug>/paper.yaml) in the catalogue")])
    return found


def build_catalogue(
    papers: str | Path,
    out: str | Path,
    templates: str | Path | None = None,
    executor: str = "local",
    options: dict | None = None,
    progress: Callable[[str], None] = lambda line: None,
) -> Summary:
    """Build every changed paper into `<out>/<slug>/`, then the site. Raises SourceError for the
    catalogue's own problems (catalogue.yaml, no papers); a paper's problems are its outcome."""
    papers, out = Path(papers), Path(out)
    options = dict(options or {})
    errors = Collector()
    config = read_config(papers, errors)
    errors.raise_if_any()
    slugs = folders(papers)
    from ..templates import Templates

    tmpl = Templates(templates)  # checked before any paper is built: a missing folder is one message
    shared = stamp.shared(Path(templates) if templates else None, options)
    stamps = {slug: stamp.stamp(papers / slug, shared) for slug in slugs}
    todo = [slug for slug in slugs if not stamp.is_current(out / slug, stamps[slug])]
    unchanged = [slug for slug in slugs if slug not in todo]
    width = max(map(len, slugs))
    for slug in unchanged:
        progress(f"  {slug:<{width}}  unchanged")
    built, failed = [], []
    for outcome in _outcomes(todo, papers, out, templates, options, stamps, executor):
        if outcome.ok:
            if outcome.editions is not None:  # a remote build: its bytes are committed here
                publish(out / outcome.slug, outcome.editions)
            stamp.write_record(out / outcome.slug, outcome.record)
            built.append(outcome.slug)
            sizes = ", ".join(f"{e['name']} {_size(e['size'])}" for e in outcome.record["editions"])
            progress(f"  {outcome.slug:<{width}}  built in {outcome.seconds:5.2f} s  ({sizes})")
        else:
            failed.append(outcome)
            kept = "keeps its last good editions" if stamp.read_record(out / outcome.slug) else "has no editions yet"
            problems = len(outcome.diagnostics)
            what = f"{problems} problem{'s' if problems != 1 else ''}" if problems else outcome.error
            progress(f"  {outcome.slug:<{width}}  FAILED ({what}); it {kept}")
            for d in outcome.diagnostics:
                progress(f"    {d}")
    records = {slug: r for slug in slugs if (r := stamp.read_record(out / slug)) is not None}
    listed = site.ordered(records, config)
    files = {"site": site.pages(listed, config, tmpl)}
    slugs_listed = [slug for slug, _ in listed]
    if listed and (built or not search.current(out, slugs_listed)):  # the index is of the paper pages alone
        files["search"] = search.index(out, slugs_listed, config.language)
    publish(out, files)
    notes = () if config.base_url else (f"{papers / FILE}: no base_url: the feed and sitemap have relative URLs",)
    return Summary(tuple(built), tuple(unchanged), tuple(failed), tuple(s for s, _ in listed), notes)


def _outcomes(
    todo: Sequence[str],
    papers: Path,
    out: Path,
    templates: str | Path | None,
    options: dict,
    stamps: dict[str, str],
    executor: str,
) -> Iterator[paper.Outcome]:
    """Each paper's outcome as it ends: here for one paper, else in a pool of the usable cores, or on a
    Dask cluster (`dask://host:port`)."""
    if not todo:
        return
    remote = executor.startswith(DASK)
    if not remote and executor != "local":
        raise SourceError([Diagnostic("--executor", 1, f"expected local or dask://HOST:PORT (got {executor!r})")])
    from ..build import usable_cores

    workers = 1 if remote else min(usable_cores(), len(todo))
    jobs = [
        paper.Job(
            slug=slug,
            source=str(papers / slug),
            stamp=stamps[slug],
            out=None if remote else str(out / slug),
            templates=str(templates) if templates else None,
            options=options,
            # A pool of builds already fills the cores: one more process each for the PDF would only
            # oversubscribe them (and a Dask worker is a daemon, which may not start processes).
            own_processes=not remote and workers == 1,
            source_files=paper.pack(papers / slug) if remote else None,
            template_files=paper.pack(Path(templates)) if remote and templates else None,
        )
        for slug in todo
    ]
    if workers == 1 and not remote:
        for job in jobs:
            yield paper.run(job)
        return
    with _executor(executor, workers) as pool:
        futures = [pool.submit(paper.run, job) for job in jobs]
        try:
            for future in concurrent.futures.as_completed(futures):
                yield future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            raise


@contextlib.contextmanager
def _executor(executor: str, workers: int) -> Iterator[concurrent.futures.Executor]:
    if not executor.startswith(DASK):
        with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
            yield pool
        return
    try:
        from distributed import Client
    except ImportError as exc:
        raise SourceError(
            [
                Diagnostic(
                    "--executor",
                    1,
                    f"a Dask cluster needs the `dask` extra ({exc.name} is missing): pip install -e '.[dask]'",
                )
            ]
        ) from None
    address = "tcp://" + executor[len(DASK) :]
    try:
        client = Client(address, timeout=30)
    except (OSError, TimeoutError) as exc:
        raise SourceError(
            [Diagnostic("--executor", 1, f"cannot reach the Dask scheduler at {address}: {exc}")]
        ) from None
    with client:
        yield client.get_executor()


def _size(size: int) -> str:
    from ..render import human_size

    return human_size(size)

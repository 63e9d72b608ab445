"""What an edition is, as the build sees it: a name, what it writes, how it renders, and what it can do.

The build knows no edition by name. It asks each registered `Edition` (registry.py) what it writes and
whether it is a download, lists the downloads, or lays out in a process of its own, and runs them in
that light. An edition is a package of `pipeline.render` whose `__init__` defines `EDITION`; the
package's heavy modules (WeasyPrint, python-docx, ebooklib) are imported only when it renders, so a
PDF-only build does not pay for python-docx, nor the others for WeasyPrint.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..model import Document, Metadata
    from . import Context, Output


class Worker(Protocol):
    """An edition's own process: started before the source is read, sent one job, asked for its output."""

    def send(self, job: Any) -> None: ...

    def ready(self, timeout: float) -> bool:
        """True once the result (or the news of the process's end) is waiting, within `timeout` seconds."""
        ...

    def result(self) -> tuple[Output, float]:
        """The edition's output and the seconds the process took; raises what the process raised."""
        ...

    def terminate(self) -> None:
        """Ask the process to end now (from another thread: `stop` then cleans up)."""
        ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class Command:
    """A subcommand an edition brings to `pipeline` (the DOCX: `reference-docx`): the command line
    lists it with the others, and knows nothing of the edition."""

    name: str
    help: str
    description: str
    arguments: Callable[[Any], None]  # adds its arguments to an argparse parser
    run: Callable[[Any], int]  # the parsed arguments -> exit code; raises SourceError for bad input


@dataclass(frozen=True)
class Edition:
    name: str  # as users name it: `--formats pdf`, the manifest, `make pdf`
    label: str  # as readers see it, in the web edition's download list: "PDF"
    media_type: str
    # The files it writes, relative to the build folder; the first is the edition itself (the download).
    outputs: Callable[[Metadata], list[str]]
    render: Callable[[Document, Context], Output | Mapping[str, bytes]]
    # The folders of the template search path this edition reads. A change in one rebuilds the editions
    # that read it; any other change (the source, the shared code, a top-level template file such as
    # theme.yaml) rebuilds all. Its own package's code concerns it alone.
    templates: tuple[str, ...] = ()
    downloadable: bool = False  # offered for download by the editions that list downloads
    lists_downloads: bool = False  # renders after the downloads, with their real sizes and checksums
    makes_page_map: bool = False  # its Output carries the page map (the PDF, after layout)
    cites_pages: bool = False  # renders after the page map is made, with it (ctx.page_map)
    # Rendering in a process of its own: `worker()` starts it, `job(doc, ctx)` is what it is sent (made
    # and checked in the build's process, so its problems are reported like any other edition's).
    worker: Callable[[], Worker] | None = None
    job: Callable[[Document, Context], Any] | None = None
    # What a long-lived process (`pipeline serve`) imports once, before it starts workers, so that each
    # worker it forks starts warm (WeasyPrint takes a second to import).
    preload: Callable[[], None] | None = None
    commands: tuple[Command, ...] = ()  # subcommands of `pipeline` it brings
    # Built only when asked for by name (`--formats press`, `make press`): not by a plain build, not by
    # `make all`, not by `pipeline serve`. The press PDF is one: it is for the printer, not the reader.
    optional: bool = False
    # A theme setting that, when true, makes the edition a download as well (the press PDF:
    # `press_download`), for a theme to choose; `downloadable` is the edition's own, fixed answer.
    download_setting: str | None = None
    # A make target to run before the edition is built (`pipeline editions --make`: SETUP_<name>), for
    # a file it needs that is not in the repository (the press PDF's CMYK profile: `make press-profile`).
    setup: str = ""

    def offered(self, theme: Mapping[str, Any]) -> bool:
        """Whether the editions that list the downloads offer this one, under these theme settings."""
        return self.downloadable or bool(self.download_setting and theme.get(self.download_setting) is True)

    def filename(self, meta: Metadata) -> str:
        """The edition's own file: the one a reader downloads."""
        return self.outputs(meta)[0]


def lazy(module: str, name: str) -> Callable[..., Any]:
    """`module.name`, imported when first called: an edition's descriptor names its heavy functions
    this way, so that listing the editions imports none of WeasyPrint, python-docx or ebooklib.
    The function's `__module__` is the module it will call (the Makefile's dependencies use it)."""

    def call(*args: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args)

    call.__module__ = module
    call.__qualname__ = call.__name__ = name
    return call


def slug_file(extension: str) -> Callable[[Metadata], list[str]]:
    """`outputs` for an edition that writes one file named for the paper: `<slug>.<extension>`."""

    def outputs(meta: Metadata) -> list[str]:
        return [f"{meta.slug}.{extension}"]

    outputs.__qualname__ = f"slug_file({extension!r})"
    return outputs

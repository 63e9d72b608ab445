"""Watching the source and template folders with watchfiles (inotify on Linux).

watchfiles groups the events of one save (an editor's write to a temporary file and rename, several
writes) and yields once the folder has been quiet for STEP_MS: two quick saves are one rebuild. A
change that comes during a build is a request to the builder, which coalesces what comes meanwhile
into exactly one more build.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

STEP_MS = 40  # quiet time that ends a group of changes
DEBOUNCE_MS = 1600  # the longest a stream of changes is grouped before a build starts anyway


def watch(roots: Iterable[Path], out: Path, builder, stop: threading.Event) -> None:
    import watchfiles

    folders = [str(r) for r in dict.fromkeys(Path(r).resolve() for r in roots) if r.is_dir()]
    built = Path(out).resolve()
    default = watchfiles.DefaultFilter()

    def wanted(change, path: str) -> bool:
        # The build folder may lie inside a watched folder: its own writes are not changes.
        return default(change, path) and not Path(path).resolve().is_relative_to(built)

    for changes in watchfiles.watch(
        *folders,
        watch_filter=wanted,
        step=STEP_MS,
        debounce=DEBOUNCE_MS,
        stop_event=stop,
        yield_on_timeout=False,
        rust_timeout=200,
        raise_interrupt=False,
    ):
        kinds = builder.kinds_for(Path(path) for _, path in changes)
        if kinds:
            builder.request(kinds)

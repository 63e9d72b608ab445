"""Writing a command's files into a folder the user owns (`import --out DIR`, `templates DIR`).

Such a folder may hold the user's own things beside ours (figures, notes, a `.git` folder), so only
the named files are written; nothing else is touched or deleted. No file is written through a
symbolic link (it could point anywhere), every problem is a `path:line` diagnostic found before the
first write, and the files are staged beside their targets and then renamed, so a full disk leaves
the old files as they were.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import Collector, Diagnostic, SourceError
from .textfile import file_kind


@contextmanager
def os_errors(out: Path) -> Iterator[None]:
    """Looking at the folder can fail too (a name too long, a folder that cannot be read): a message."""
    try:
        yield
    except OSError as exc:
        raise SourceError([Diagnostic(str(exc.filename or out), 1, f"cannot use: {exc.strerror or exc}")]) from None


def check_folder(out: Path, errors: Collector) -> None:
    """Report an `out` that cannot become a folder: it, or a folder above it, is a file."""
    for path in (*reversed(out.parents), out):
        if path.exists() and not path.is_dir():
            errors.add(path, 1, "exists and is not a folder" if path == out else "is a file, not a folder")
            return


def symlink_on_the_way(out: Path, name: str) -> Path | None:
    """The first symbolic link among `out/name` and the folders between it and `out`, if any."""
    path = out
    for part in Path(name).parts:
        path = path / part
        if path.is_symlink():
            return path
    return None


def check_targets(out: Path, names: Iterable[str], errors: Collector) -> set[str]:
    """Report each name that cannot be written as a plain file inside `out`; returns those names."""
    bad: set[str] = set()
    for name in names:
        target = out / name
        link = symlink_on_the_way(out, name)
        if link is not None:
            errors.add(link, 1, "is a symbolic link; nothing is written through it")
        elif folder := next((p for p in target.parents if p.exists() and not p.is_dir()), None):
            errors.add(folder, 1, "is a file, not a folder")
        elif target.exists() and not target.is_file():
            errors.add(target, 1, f"is {_kind(target)}, not a file")
        else:
            continue
        bad.add(name)
    return bad


def _kind(path: Path) -> str:
    return file_kind(path.stat().st_mode)


def write_files(out: Path, files: dict[str, bytes]) -> None:
    """Write every file: all staged first (where a full disk shows), then each renamed into place."""
    staged: list[tuple[Path, Path]] = []
    try:
        for name, data in files.items():
            target = out / name
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
                staged.append((Path(tmp), target))
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.chmod(tmp, 0o644)
            except OSError as exc:
                raise SourceError([Diagnostic(str(target), 1, f"cannot write: {exc.strerror or exc}")]) from None
        for tmp, target in staged:
            try:
                os.replace(tmp, target)
            except OSError as exc:
                raise SourceError([Diagnostic(str(target), 1, f"cannot write: {exc.strerror or exc}")]) from None
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)

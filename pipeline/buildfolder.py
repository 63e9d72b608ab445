"""The build folder, written all or nothing.

A build's files are first staged in `<out>/.pipeline-staging/` (the same file system, so that moving
them into place is a rename) and checked: every byte is written there, so a full disk, a name too long
or a folder that cannot be written fails before anything in the build folder has changed. Then the
build commits: a journal (`COMMIT` in the staging folder) lists the files to move and the stale ones to
remove, and the renames follow with Ctrl-C, SIGTERM and SIGHUP held back until they are done. A build
killed outright (SIGKILL, power loss) leaves the staging folder; the next build finishes a commit whose
journal is whole, and throws away a staging that never reached it. Either way the folder holds all the
new editions or all the old ones.

The manifest (`<out>/.pipeline-build.json`) records which files each edition wrote. A file that an
edition wrote last time and not this time (a removed figure, an old slug's PDF) is removed; a file that
no build wrote is never touched, so `--out` may point at a folder that holds other things.

Builds into the same folder at once (`make` runs two) take turns: each holds a lock on the folder.
"""

from __future__ import annotations

import errno
import fcntl
import glob
import json
import os
import shutil
import signal
import stat
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from .errors import Collector, Diagnostic, SourceError
from .folder import check_folder, check_targets, symlink_on_the_way

STAGING = ".pipeline-staging"
MANIFEST = ".pipeline-build.json"
JOURNAL = "COMMIT"
HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
OURS = {STAGING, MANIFEST}


# Set once a build of this process has committed: an interruption that comes after it (a signal held
# during the renames runs its handler then) leaves the new editions, and the CLI says so.
COMMITTED: list[bool] = []


def publish(out: Path, editions: Mapping[str, Mapping[str, bytes]]) -> None:
    """Write `editions` ({format: {relative path: bytes}}) into `out`, all or nothing. Raises
    SourceError naming the folder if it cannot be written; then the folder is as it was."""
    with holding(out):
        commit(out, editions)


@contextmanager
def holding(out: Path) -> Iterator[None]:
    """The build folder, made if need be, held against other builds (and a killed build's commit
    finished): what a build reads from it (the editions the web edition lists) stays as read until
    its own commit."""
    out = Path(out)
    made = [p for p in (*reversed(out.parents), out) if not p.exists()]  # the folders this build makes
    _make_folder(out)
    try:
        with _locked(out):
            recover(out)
            yield
    except BaseException:
        # A build that fails (a template's error in the web edition) leaves no folder it made: the
        # message says nothing was written.
        for folder in reversed(made):
            try:
                folder.rmdir()
            except OSError:  # not empty (another build's files, since): it stays
                break
        raise


def published(out: Path) -> dict[str, list[str]]:
    """{edition: its files} as the last builds wrote them into `out` (held)."""
    return _read_manifest(Path(out))


def commit(out: Path, editions: Mapping[str, Mapping[str, bytes]], inputs: Iterable[Path] = ()) -> None:
    """publish(), in a folder this process already holds. `inputs`: the folders the build reads (the
    source, the designer's templates), whose files it never replaces (see _check_inputs)."""
    out = Path(out)
    previous = _read_manifest(out)
    files = {relative: data for edition in editions.values() for relative, data in edition.items()}
    _check_names(out, files)
    _check_inputs(out, set(files) - {r for edition in previous.values() for r in edition}, inputs)
    for relative in files:
        _remove_old_temporaries(out / relative)
    manifest = {**previous, **{name: sorted(edition) for name, edition in editions.items()}}
    kept = {relative for edition in manifest.values() for relative in edition}
    stale = sorted({relative for edition in previous.values() for relative in edition} - kept)
    staging = out / STAGING
    try:
        _stage(staging, files, manifest)
        journal = {"write": sorted(files) + [MANIFEST], "delete": stale}
        _write_file(staging / f"{JOURNAL}.tmp", json.dumps(journal).encode())
        with _signals_held():
            os.replace(staging / f"{JOURNAL}.tmp", staging / JOURNAL)  # from here on, it commits
            _commit(out, journal)
    except OSError as exc:
        if (staging / JOURNAL).exists():  # the commit had begun: some new editions are in place
            # The staging is kept: with its journal, the next build finishes this one's commit.
            raise _cannot_write(out, exc, "it holds some new editions; the next build completes them") from None
        shutil.rmtree(staging, ignore_errors=True)
        raise _cannot_write(out, exc) from None
    except BaseException:
        if not (staging / JOURNAL).exists():
            shutil.rmtree(staging, ignore_errors=True)
        raise


def recover(out: Path) -> None:
    """Finish a commit a killed build left half done, or discard a staging it never committed."""
    staging = out / STAGING
    if staging.is_symlink() or (os.path.lexists(staging) and not staging.is_dir()):
        # Not a staging this builder made (a file, a link to a folder anywhere): it is never
        # followed, only removed, so that builds are not refused for ever.
        try:
            staging.unlink()
        except OSError as exc:
            raise _cannot_write(out, exc) from None
        return
    if not staging.is_dir():
        return
    journal = _read_journal(staging)
    if journal is not None:
        try:
            _commit(out, journal)
        except OSError as exc:
            raise _cannot_write(out, exc, "a killed build's new editions are only partly in place") from None
    shutil.rmtree(staging, ignore_errors=True)


def _read_journal(staging: Path) -> dict[str, list[str]] | None:
    """The journal a killed build left, or None if it has none, a torn one, or one this builder did
    not write: like the manifest, it is a file in a folder anyone can edit, and it names files to
    move and remove, so each must be a name inside the build folder."""
    try:
        journal = json.loads((staging / JOURNAL).read_bytes())
    except (OSError, ValueError):  # no journal, or a torn one: nothing of it reached the build folder
        return None
    if not isinstance(journal, dict) or set(journal) != {"write", "delete"}:
        return None
    names = [*journal["write"], *journal["delete"]] if all(isinstance(journal[k], list) for k in journal) else None
    if names is None or not all(isinstance(n, str) and (_safe(n) or n == MANIFEST) for n in names):
        return None
    return journal


def _commit(out: Path, journal: dict) -> None:
    staging = out / STAGING
    for relative in journal["write"]:
        staged = staging / relative
        if staged.exists():  # else: moved already, by the build that was killed after it
            (out / relative).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, out / relative)
    for relative in journal["delete"]:
        _remove_stale(out, relative)
    shutil.rmtree(staging, ignore_errors=True)


def _remove_stale(out: Path, relative: str) -> None:
    """Remove a file an earlier build wrote, if it is still that: a plain file reached through no link.
    What the editor has put in its place since (a folder, a link, a file where its folder was) is
    theirs, and stays; through a link, the file is not in the build folder at all. A stale file that
    cannot be removed is no reason to fail a commit whose editions are already in place."""
    target = out / relative
    try:
        if symlink_on_the_way(out, relative) is not None or not stat.S_ISREG(target.lstat().st_mode):
            return
        target.unlink()
    except OSError:
        return
    _remove_empty_parents(out, target.parent)


def _stage(staging: Path, files: Mapping[str, bytes], manifest: Mapping[str, list[str]]) -> None:
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    for relative, data in files.items():
        _write_file(staging / relative, data)
    _write_file(staging / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode() + b"\n")


def _write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())  # the bytes are on disk before the rename can make them the edition
    os.chmod(path, 0o644)


def _check_names(out: Path, names: Iterable[str]) -> None:
    """Each file goes where a plain file (or nothing) is, inside the folder and not through a link: a
    folder in its place, or a file where its folder should be, would make the commit fail half done."""
    errors = Collector()
    for relative in names:
        if not _safe(relative):
            errors.add(out / relative, 1, "not a file name this build may write")
    check_targets(out, names, errors)
    manifest = out / MANIFEST
    if not manifest.is_symlink() and manifest.exists() and not manifest.is_file():  # (a link is replaced, not followed)
        errors.add(manifest, 1, "is a folder, not a file; the build keeps its list of files here: remove it")
    errors.raise_if_any()


def _check_inputs(out: Path, names: Iterable[str], inputs: Iterable[Path]) -> None:
    """A build folder inside the source or the templates folder (`--out source`, `--out
    templates/html`) must not replace their files: the designer's html/index.html, a source image at
    assets/icon.svg. A file an earlier build wrote there (in the manifest) is the build's own."""
    roots = [root.resolve() for root in inputs]
    errors = Collector()
    for relative in sorted(names):
        target = out / relative
        if os.path.lexists(target) and any(target.resolve().is_relative_to(root) for root in roots):
            errors.add(
                target,
                1,
                "is a file of the source or templates folder; the build never replaces it: choose another --out",
            )
    errors.raise_if_any()


def _remove_old_temporaries(target: Path) -> None:
    """Builders before this one wrote each file through `.<name>.<8 random characters>.tmp` beside it
    (tempfile.mkstemp), which a SIGKILL left behind: remove those of the files this build writes."""
    if target.parent.is_dir():
        for leftover in target.parent.glob(f".{glob.escape(target.name)}.????????.tmp"):
            if leftover.is_file() and not leftover.is_symlink():
                leftover.unlink(missing_ok=True)


def is_built(path: Path, root: Path) -> bool:
    """True if a build wrote `path` (a file under `root`): a folder between them holds a manifest that
    lists it. A designer who points `--out` into the templates folder gets built pages there; they
    are the build's, not templates to read (a page may well hold "{{", as a BibTeX entry does)."""
    try:
        relative = Path(path).relative_to(root)
    except ValueError:
        return False
    for depth in range(len(relative.parts) - 1, -1, -1):
        folder = Path(root).joinpath(*relative.parts[:depth])
        if (folder / MANIFEST).is_file():
            inside = PurePosixPath(*relative.parts[depth:]).as_posix()
            if any(inside in files for files in _read_manifest(folder).values()):
                return True
    return False


def _read_manifest(out: Path) -> dict[str, list[str]]:
    if (out / MANIFEST).is_symlink():  # it could lead to any file: not read (the commit replaces the link)
        return {}
    try:
        data = json.loads((out / MANIFEST).read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(name): [str(r) for r in files if isinstance(r, str) and _safe(r)]
        for name, files in data.items()
        if isinstance(files, list)
    }


def _safe(relative: str) -> bool:
    """A manifest entry that stays inside the build folder (the manifest is a file anyone can edit)."""
    path = PurePosixPath(relative)
    return bool(path.parts) and not path.is_absolute() and ".." not in path.parts and path.parts[0] not in OURS


def _remove_empty_parents(out: Path, folder: Path) -> None:
    while folder != out and folder.is_relative_to(out):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _make_folder(out: Path) -> None:
    errors = Collector()
    check_folder(out, errors)
    errors.raise_if_any()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot_write(out, exc) from None


def _cannot_write(out: Path, exc: OSError, state: str = "it holds the last good editions") -> SourceError:
    reason = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EROFS: "the file system is read-only",
        errno.ENAMETOOLONG: "a file name is too long for the file system",
    }.get(exc.errno, exc.strerror or type(exc).__name__)
    where = exc.filename if isinstance(exc.filename, str) else str(out)
    shown = _outside_staging(out, where)
    return SourceError([Diagnostic(shown, 1, f"cannot write the build folder: {reason}; {state}")])


def _outside_staging(out: Path, where: str) -> str:
    """The path as the editor knows it: a staged file is named by where it was going."""
    path = Path(where)
    staging = out / STAGING
    return str(out / path.relative_to(staging)) if path.is_relative_to(staging) else str(path)


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold the build folder itself (flock on its descriptor: no lock file is left in it)."""
    try:
        fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise _cannot_write(out, exc) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextmanager
def _signals_held(signals: Iterable[int] = HELD_SIGNALS) -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP wait until the renames are done; their handlers run after."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, set(signals))
    try:
        yield
        COMMITTED.append(True)  # before the held signals are let through: the CLI then says which
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)

"""A paper's stamp: one SHA-256 over everything its editions are a function of (its source files, the
template files, the pipeline's own code and the build's options), and the record kept beside its
editions (`<out>/<slug>/.pipeline-stamp.json`): the stamp of the last good build, and what the home
page lists (metadata, editions with size and SHA-256), so a paper that fails later is still listed
with the editions it keeps."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

from ..buildfolder import MANIFEST
from ..paths import BUILTIN

RECORD = ".pipeline-stamp.json"
CODE = Path(__file__).resolve().parent.parent  # the pipeline package
# A file this large (the CJK fonts, 80 MB, when installed) is taken by size and time, not read: its
# bytes would cost the no-op rebuild a quarter of a second, and nothing edits a font in place.
READ_LIMIT = 8 * 1024 * 1024
SITE_ONLY = ("catalogue",)  # templates/catalogue/ and pipeline/catalogue/: the site's, not a paper's


def shared(templates: Path | None, options: dict) -> str:
    """The part every paper's stamp shares: the code, the built-in and the designer's templates, the options."""
    h = hashlib.sha256()
    h.update(json.dumps(options, sort_keys=True).encode())
    for label, root in (("code", CODE), ("builtin", BUILTIN), ("templates", templates)):
        if root is not None:
            # Not the site's own templates and code: a paper's editions never read them, and a change
            # to the home page must not rebuild every paper.
            _files(h, label, root, skip=SITE_ONLY)
    return h.hexdigest()


def stamp(source: Path, shared_part: str) -> str:
    h = hashlib.sha256(shared_part.encode())
    _files(h, "source", source)
    return h.hexdigest()


def _files(h, label: str, root: Path, skip: tuple[str, ...] = ()) -> None:
    for path in sorted(_walk(root, skip)):
        relative = path.relative_to(root).as_posix()
        try:
            info = path.stat()
            if info.st_size > READ_LIMIT:
                data = f"{info.st_size}:{info.st_mtime_ns}".encode()
            else:
                data = path.read_bytes()
        except OSError:  # unreadable: the build reports it; the stamp only has to differ
            data = b"\0unreadable"
        h.update(f"{label}/{relative}\0{len(data)}\0".encode())
        h.update(data)


def _walk(root: Path, skip: tuple[str, ...] = ()) -> Iterable[Path]:
    for folder, dirs, files in os.walk(root):
        top = Path(folder) == root
        dirs[:] = [d for d in dirs if d != "__pycache__" and not (top and d in skip)]
        for name in files:
            if not name.endswith(".pyc"):
                yield Path(folder, name)


def read_record(out: Path) -> dict | None:
    """The record of the last good build of the paper in `out`, or None (never built, or unreadable)."""
    try:
        record = json.loads((out / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("stamp"), str) else None


def is_current(out: Path, value: str) -> bool:
    """Whether `out` holds the editions of a build with this stamp, every file it wrote still there."""
    record = read_record(out)
    if record is None or record["stamp"] != value:
        return False
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return all((out / f).is_file() for files in manifest.values() for f in files)


def write_record(out: Path, record: dict) -> None:
    """Written after the editions were committed (a temporary file renamed): killed between the two,
    the old record stays and the next run builds the paper again."""
    data = json.dumps(record, sort_keys=True, indent=1, ensure_ascii=False).encode()
    temporary = out / f"{RECORD}.tmp"
    temporary.write_bytes(data)
    os.replace(temporary, out / RECORD)

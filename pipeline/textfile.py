"""Reading source text: UTF-8 (a BOM is fine), any line ending, no control characters.

A text file is a regular file of at most MAX_TEXT_BYTES: a device (`/dev/zero`), a pipe or a file of
gigabytes would otherwise be read for ever or fill the memory.
"""

from __future__ import annotations

import stat
import unicodedata
from pathlib import Path

from .errors import Collector

ALLOWED_CONTROLS = {"\t", "\n"}
MAX_TEXT_BYTES = 64 * 1024 * 1024  # a long white paper is 1 MB


def decode(data: bytes, path, errors: Collector) -> str | None:
    """Text of a file's bytes with `\\n` line endings, or None after reporting why it can't be read."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        errors.add(path, line, f"not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8")
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for number, line in enumerate(text.split("\n"), 1):
        for char in line:
            if char not in ALLOWED_CONTROLS and unicodedata.category(char) == "Cc":
                errors.add(path, number, f"control character U+{ord(char):04X} in the text; remove it")
                break
    return text


def read_text(path: Path, errors: Collector) -> str | None:
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            errors.add(path, 1, "is a folder, not a file")
            return None
        if not stat.S_ISREG(mode):
            errors.add(path, 1, "is not a regular file (a device or a pipe); give a text file")
            return None
        with path.open("rb") as handle:
            data = handle.read(MAX_TEXT_BYTES + 1)
    except FileNotFoundError:
        errors.add(path, 1, "file not found")
        return None
    except OSError as exc:
        errors.add(path, 1, f"cannot read: {exc.strerror or exc}")
        return None
    if len(data) > MAX_TEXT_BYTES:
        errors.add(path, 1, f"is larger than {MAX_TEXT_BYTES // (1024 * 1024)} MB; a text file is not this big")
        return None
    return decode(data, path, errors)

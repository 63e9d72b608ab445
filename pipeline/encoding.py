"""The encoding of a text to import: UTF-8, else detected (charset-normalizer), else refused.

Source files are UTF-8 (textfile.py). A paper to import may arrive in another encoding: GB18030 for
Chinese sources, Big5, a Windows code page. Detection is a guess, so it is made only among the
encodings such papers come in, and taken only when it is unambiguous: every reading that is as
plausible as the best gives the same text. Otherwise the import is refused with `path:1:` and the
encodings it could be, and `--encoding NAME` decides. A wrong guess would import mojibake, which
nothing later could tell from text.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from .errors import Collector

# The encodings tried, most likely first (the first of several that read a text alike names it).
CANDIDATES = ("gb18030", "big5", "cp1252", "cp1251", "cp1256", "shift_jis", "euc_kr", "utf_16", "utf_32")
PLAUSIBLE = 0.01  # a reading with at most this much more "chaos" than the best is as plausible
MAX_CHAOS = 0.2  # past this even the best reading is noise: the file is not text


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # "utf-8", or the encoding detected or given
    detected: bool = False  # not UTF-8, and found by detection


def decode_any(data: bytes, path, errors: Collector, encoding: str | None = None, fit=None) -> Decoded | None:
    """The text of a file's bytes (BOM removed), or None after reporting why it cannot be read.

    `fit(text)`, if given, scores a reading (higher fits better): of readings that disagree, only
    those that fit best are kept. The importer's fit counts the white-paper headings and punctuation
    a reading shows, so "1、" read as GB18030 wins over "1﹜" read as Big5 in an English text with a
    few such characters, where the detector alone finds both as plausible.
    """
    if encoding is not None:
        return _given(data, path, errors, encoding)
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        utf8_problem = f"not UTF-8 (byte 0x{data[exc.start]:02x} on line {line})"
    for bom, name in ((codecs.BOM_UTF32_LE, "utf_32"), (codecs.BOM_UTF32_BE, "utf_32"), (codecs.BOM_UTF16_LE, "utf_16"), (codecs.BOM_UTF16_BE, "utf_16")):  # fmt: skip
        if data.startswith(bom):
            try:
                return Decoded(data.decode(name).lstrip("\ufeff"), name, True)
            except UnicodeDecodeError:
                break
    readings = _readings(data)
    if len(readings) > 1 and fit is not None:
        scores = {name: fit(text) for name, text in readings.items()}
        readings = {name: text for name, text in readings.items() if scores[name] == max(scores.values())}
    if not readings:
        errors.add(path, 1, f"{utf8_problem}, nor text in any encoding tried; save it as UTF-8")
        return None
    if len(readings) > 1:
        names = ", ".join(readings)
        errors.add(
            path, 1, f"{utf8_problem}, and it could be any of {names}, each giving other text; "
            "not imported: save it as UTF-8 or give --encoding NAME"
        )  # fmt: skip
        return None
    ((name, text),) = readings.items()
    return Decoded(text, name, True)


def _readings(data: bytes) -> dict[str, str]:
    """The plausible readings of bytes that are not UTF-8: encoding -> text, one per distinct text."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # an older environment: nothing is guessed, the text is refused
        return {}
    matches = [
        m
        for m in from_bytes(data, cp_isolation=list(CANDIDATES))
        if m.encoding in CANDIDATES or m.could_be_from_charset
    ]
    if not matches:
        return {}
    best = min(m.chaos for m in matches)
    if best > MAX_CHAOS:
        return {}
    readings: dict[str, str] = {}
    for match in matches:
        if match.chaos > best + PLAUSIBLE:
            continue
        text = str(match)
        names = [n for n in CANDIDATES if n in {match.encoding, *match.could_be_from_charset}] or [match.encoding]
        if text not in readings.values():
            readings[names[0]] = text
    return dict(sorted(readings.items(), key=lambda item: CANDIDATES.index(item[0]) if item[0] in CANDIDATES else 99))


def _given(data: bytes, path, errors: Collector, encoding: str) -> Decoded | None:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        errors.add(path, 1, f"--encoding {encoding!r} is no encoding Python knows; try gb18030, big5 or cp1252")
        return None
    try:
        text = data.decode(name)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        errors.add(path, line, f"not {name} (byte 0x{data[exc.start]:02x}); give the encoding it is saved in")
        return None
    return Decoded(text.lstrip("\ufeff"), name)


def read_paper(path, errors: Collector, encoding: str | None = None, fit=None) -> Decoded | None:
    """A text file to import (a regular file, bounded in size), decoded as above and checked for
    characters no edition can carry."""
    from .textfile import clean, read_bytes

    data = read_bytes(path, errors)
    decoded = None if data is None else decode_any(data, path, errors, encoding, fit)
    if decoded is None:
        return None
    return Decoded(clean(decoded.text, path, errors), decoded.encoding, decoded.detected)

"""Deterministic zip containers (EPUB, DOCX): fixed timestamps, stable order, `mimetype` first."""

from __future__ import annotations

import datetime as dt
import io
import zipfile


def normalize_zip(
    data: bytes, date: dt.date, first: tuple[str, ...] = (), replace: dict[str, bytes] | None = None
) -> bytes:
    """Rewrite a zip so the same content always gives the same bytes.

    Entries get `date` as their time and keep their order, except that names in `first` lead
    (EPUB's `mimetype` must be the first entry, stored uncompressed). `replace` gives new contents
    for some entries (a file corrected after the library that wrote the zip), kept in their place.
    """
    replace = replace or {}
    stamp = (max(date.year, 1980), date.month, date.day, 0, 0, 0)
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    ordered = [n for n in first if n in names] + [n for n in names if n not in first]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            dst.writestr(
                info,
                replace[name] if name in replace else src.read(name),
                compresslevel=9 if name != "mimetype" else None,
            )
    return out.getvalue()

"""The web fonts cut down to the characters the page shows (issue 16: 609 KB of fonts for a page of
~76 distinct characters).

Each face keeps every character of the page's text, whatever face a passage is set in: finding which
face renders which character would mean laying the page out, and the union costs a few KB. Printable
ASCII is always kept (a reader's search query is echoed in the status line), and so are the characters
the script writes itself. The layout features that the page's text can use are kept (kerning, ligatures, figures).

Subsetting a face takes about half a second, so results are kept in a cache folder, one file per
(font bytes, characters, fontTools version); a repeat build reads them back. The output is the same
bytes for the same input: fontTools keeps the glyph order of the original and the head table's
modified date is left as the font's own (recalcTimestamp off).
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import re
import unicodedata
from pathlib import Path

import lxml.etree
import lxml.html

ASCII = frozenset(chr(c) for c in range(0x20, 0x7F))
FIGURES = ("onum", "lnum", "pnum", "tnum")  # font-variant-numeric in style.css


def page_characters(page: str, script: str) -> frozenset[str]:
    """The characters a reader can see on the page: its body text and attribute values (alt, title,
    aria labels shown as tooltips), the script's own strings (with their \\uXXXX escapes), ASCII."""
    chars = set(ASCII)
    try:
        root = lxml.html.fromstring(page.encode("utf-8"))
    except lxml.etree.ParserError:  # a designer's page with no element at all (only text, or nothing)
        root = None
        chars.update(page)
    body = root.find("body") if root is not None else None
    for el in (body if body is not None else root).iter() if root is not None else ():
        if not isinstance(el.tag, str) or el.tag in ("script", "style"):
            chars.update(el.tail or "")
            continue
        chars.update(el.text or "")
        chars.update(el.tail or "")
        for value in el.attrib.values():
            chars.update(value)
    chars.update(script)
    chars.update(chr(int(h, 16)) for h in re.findall(r"\\u([0-9a-fA-F]{4})", script))
    # Not the combining marks and U+FFFD the script only matches against (its accent-folding regex).
    return frozenset(
        c for c in chars if (c.isprintable() or c == "\u00a0") and c != "\ufffd" and unicodedata.category(c)[0] != "M"
    )


def cache_dir() -> Path:
    """Where subset fonts are kept: $PIPELINE_CACHE_DIR, else the user's cache folder."""
    if os.environ.get("PIPELINE_CACHE_DIR"):
        return Path(os.environ["PIPELINE_CACHE_DIR"]) / "web-fonts"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pipeline" / "web-fonts"


def subset(font: bytes, chars: frozenset[str]) -> bytes:
    """The WOFF2 font with only the glyphs for `chars` (and what their layout features reach)."""
    import fontTools

    text = "".join(sorted(chars))
    key = hashlib.sha256(b"\0".join((font, text.encode("utf-8"), fontTools.version.encode()))).hexdigest()
    return _cached(key, font, text)


@functools.lru_cache(maxsize=32)
def _cached(key: str, font: bytes, text: str) -> bytes:
    path = cache_dir() / f"{key}.woff2"
    try:
        data = path.read_bytes()
        if data[:4] == b"wOF2":
            return data
    except OSError:
        pass
    data = _subset(font, text)
    try:  # the cache is a convenience: a read-only home only makes the build slower
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        pass
    return data


def _subset(font: bytes, text: str) -> bytes:
    from fontTools import subset as ft
    from fontTools.ttLib import TTFont

    options = ft.Options()
    options.flavor = "woff2"
    # fontTools' default features (kerning, ligatures, contextual forms, marks, fractions) and the
    # figures style.css asks for; '*' would also keep small caps, swashes and alternates nobody
    # switches on, which doubles the size.
    options.layout_features = [*options.layout_features, *FIGURES]
    options.name_IDs = ["*"]  # the licence and the family names stay with the font
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False
    options.recalc_bounds = True
    options.drop_tables = [t for t in options.drop_tables if t != "DSIG"] + ["DSIG"]
    tt = TTFont(io.BytesIO(font), recalcTimestamp=False)
    subsetter = ft.Subsetter(options=options)
    subsetter.populate(text=text)
    subsetter.subset(tt)
    out = io.BytesIO()
    tt.flavor = "woff2"
    tt.save(out, reorderTables=True)
    return out.getvalue()

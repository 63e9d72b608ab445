"""One font per face in the merged PDF (merge.py): the parts' subsets of a face become one.

WeasyPrint subsets each font to the glyphs a document uses, keeping their glyph ids (HarfBuzz's
RETAIN_GIDS; the unused glyphs stay, empty), and names the subset after the face, not the glyphs
(`/APDWCE+Source-Serif-4`). The parts of one book thus embed subsets of one face under one name, with
the same glyph ids: they merge into one font by taking each glyph from a part that draws it (fontTools
reads and writes the font programs), the widths and the text each glyph stands for (ToUnicode) from
the parts, the first part's first (as the whole document, drawn in order, would have it). Every page
then uses that one font.

The text a glyph stands for matters beyond the size: a hyphen glyph drawn first where hyphenation
broke a word stands for U+2010 in that part, for "-" in a part whose first hyphen was the text's own.

A face whose program is neither a CFF nor a TrueType outline font (a bitmap Type 3 font, for one) is
left as it is, a copy per part, its text map made one all the same.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterable

import pikepdf

BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")
CMAP_HEAD = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo
<< /Registry (Adobe)
/Ordering (UCS)
/Supplement 0
>> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <ffff>
endcodespacerange
"""
CMAP_TAIL = b"""endcmap
CMapName currentdict /CMap defineresource pop
end
end"""


def merge_fonts(pdf: pikepdf.Pdf, parts: Iterable[Iterable[pikepdf.Page]]) -> None:
    """Make the Type 0 fonts of the pages of `parts` (each part's pages, in order) one per face."""
    faces: dict[str, list[pikepdf.Object]] = {}  # BaseFont -> its font dictionaries, one per part
    users: dict[tuple[int, int], list[tuple[pikepdf.Object, pikepdf.Name]]] = {}
    for pages in parts:
        seen: set[tuple[int, int]] = set()
        for page in pages:
            fonts = page.obj.get("/Resources", {}).get("/Font", {})
            for name, font in fonts.items():
                if font.get("/Subtype") != "/Type0" or not font.is_indirect:
                    continue
                users.setdefault(font.objgen, []).append((fonts, pikepdf.Name(name)))
                if font.objgen not in seen:
                    seen.add(font.objgen)
                    faces.setdefault(str(font.BaseFont), []).append(font)
    for fonts in faces.values():
        if len(fonts) < 2:
            continue
        merged = _merge_face(pdf, fonts)
        for font in fonts:
            if font.objgen == merged.objgen:
                continue
            for holder, name in users.get(font.objgen, ()):
                holder[name] = merged


def _merge_face(pdf: pikepdf.Pdf, fonts: list[pikepdf.Object]) -> pikepdf.Object:
    """The first part's font, grown to hold every part's glyphs, widths and text; or, where the
    programs cannot be merged, each part's font with the text map made one."""
    first = fonts[0]
    text: dict[int, bytes] = {}
    widths: dict[int, object] = {}
    used: list[set[int]] = []
    for font in fonts:
        mapping = _to_unicode(font)
        used.append(set(mapping))
        for gid, value in mapping.items():
            text.setdefault(gid, value)
        for gid, width in _widths(font.DescendantFonts[0]).items():
            widths.setdefault(gid, width)
    program = _merged_program([font.DescendantFonts[0].FontDescriptor for font in fonts], used)
    if program is None:
        for font in fonts:  # one text per glyph, even in separate fonts
            own = _to_unicode(font)
            font.ToUnicode = pdf.make_stream(_cmap({gid: text[gid] for gid in own}))
        return first
    descriptor = first.DescendantFonts[0].FontDescriptor
    key, data = program
    descriptor[key].write(zlib.compress(data, 9), filter=pikepdf.Name.FlateDecode)
    if "/Length1" in descriptor[key]:  # a TrueType program's length, before compression
        descriptor[key].Length1 = len(data)
    first.DescendantFonts[0].W = _width_array(widths)
    first.ToUnicode = pdf.make_stream(_cmap(text))
    return first


def _to_unicode(font) -> dict[int, bytes]:
    """The glyph id -> UTF-16BE text map of a ToUnicode CMap as WeasyPrint writes it (bfchar only)."""
    stream = font.get("/ToUnicode")
    if stream is None:
        return {}
    return {int(gid, 16): bytes.fromhex(value.decode()) for gid, value in BFCHAR.findall(stream.read_bytes())}


def _cmap(text: dict[int, bytes]) -> bytes:
    items = sorted(text.items())
    lines = [CMAP_HEAD]
    for start in range(0, len(items), 100):
        batch = items[start : start + 100]
        lines.append(f"{len(batch)} beginbfchar\n".encode())
        lines.extend(f"<{gid:04x}> <{value.hex()}>\n".encode() for gid, value in batch)
        lines.append(b"endbfchar\n")
    lines.append(CMAP_TAIL)
    return b"".join(lines)


def _widths(cid_font) -> dict[int, object]:
    """A CID font's /W array (ISO 32000-1, 9.7.4.3: `c [w1 w2 …]` and `c_first c_last w`) as a map."""
    found: dict[int, object] = {}
    array = list(cid_font.get("/W", ()))
    i = 0
    while i < len(array):
        start = int(array[i])
        if isinstance(array[i + 1], pikepdf.Array):
            for offset, width in enumerate(array[i + 1]):
                found[start + offset] = width
            i += 2
        else:
            for cid in range(start, int(array[i + 1]) + 1):
                found[cid] = array[i + 2]
            i += 3
    return found


def _width_array(widths: dict[int, object]) -> pikepdf.Array:
    runs: list[list] = []
    for cid in sorted(widths):
        if runs and runs[-1][0] + len(runs[-1][1]) == cid:
            runs[-1][1].append(widths[cid])
        else:
            runs.append([cid, [widths[cid]]])
    array = pikepdf.Array()
    for start, run in runs:
        array.append(start)
        array.append(pikepdf.Array(run))
    return array


def _merged_program(descriptors, used: list[set[int]]) -> tuple[pikepdf.Name, bytes] | None:
    """The first descriptor's font program with the glyphs the others draw added: (its key, bytes)."""
    from fontTools.ttLib import TTFont

    key = next((k for k in ("/FontFile3", "/FontFile2") if k in descriptors[0]), None)
    if key is None or any(key not in d for d in descriptors):
        return None
    if key == "/FontFile3" and descriptors[0][key].get("/Subtype") != "/OpenType":
        return None
    try:
        fonts = [TTFont(io.BytesIO(d[key].read_bytes()), recalcTimestamp=False, lazy=False) for d in descriptors]
    except Exception:  # a program fontTools cannot read: left as WeasyPrint wrote it
        return None
    # WeasyPrint drops the empty glyphs after the last one a document uses: the glyph orders are
    # prefixes of one another. The longest is the base; the others' glyphs go into it.
    chosen = max(range(len(fonts)), key=lambda i: (len(fonts[i].getGlyphOrder()), -i))
    base = fonts[chosen]
    order = base.getGlyphOrder()
    if any(f.getGlyphOrder() != order[: len(f.getGlyphOrder())] for f in fonts):
        return None  # not subsets of one face with the glyph ids kept
    have = set(used[chosen])
    others = [(font, gids) for i, (font, gids) in enumerate(zip(fonts, used, strict=True)) if i != chosen]
    if "CFF " in base:
        top = base["CFF "].cff.topDictIndex[0]
        if hasattr(top, "ROS") or hasattr(top, "FDSelect"):
            return None  # CID-keyed: the glyphs' font dicts would have to be merged too
        for font, gids in others:
            other = font["CFF "].cff.topDictIndex[0].CharStrings
            for gid in sorted(gids - have):
                top.CharStrings[order[gid]] = other[order[gid]]
            have |= gids
    elif "glyf" in base:
        glyf, hmtx = base["glyf"], base["hmtx"]
        for font, _ in others:
            for name in font.getGlyphOrder():  # every glyph it draws, the components of composites too
                theirs = font["glyf"][name]
                if theirs.numberOfContours != 0 and glyf[name].numberOfContours == 0:
                    glyf[name] = theirs
                    hmtx[name] = font["hmtx"][name]
    else:
        return None
    out = io.BytesIO()
    base.save(out)
    return pikepdf.Name(key), out.getvalue()

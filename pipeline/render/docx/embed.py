"""The vendored fonts travel with the document: each face the text is set in, subset to the
characters it uses, obfuscated and embedded as Word and LibreOffice read embedded fonts.

ECMA-376 Part 1 §17.8.1: a font is a part word/fonts/fontN.odttf, related from the font table; its
w:font names it in the slot it fills (w:embedRegular, w:embedBold, w:embedItalic,
w:embedBoldItalic) with the relationship and a GUID key (w:fontKey); the first 32 bytes of the file
are XORed with that key. settings.xml says the document embeds fonts (w:embedTrueTypeFonts), and
only the characters used (w:saveSubsetFonts), so a word processor saving it knows.

The faces are subset with fontTools and their outlines converted from CFF to TrueType. LibreOffice
7.4 sets the text in either (measured: a CFF subset is used too, and is a third of the size), but
Word embeds and reads TrueType outlines only ("embed TrueType fonts"). Everything is deterministic:
fixed subsetter options, no timestamps, the key a hash of the bytes it keys; a warm process (`pipeline
serve`) keeps the last subsets, since subsetting is most of the edition's time.

Which face a run is set in: its font slot (ascii, hAnsi, eastAsia, cs) for each character, through
its character style, paragraph style and docDefaults (layout.Styles); the faces come from the font
registry (pipeline/fonts.py) by family name, so any vendored family a style names is embedded.
"""

from __future__ import annotations

import functools
import hashlib
import io
import uuid
from dataclasses import dataclass

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from lxml import etree

from ... import fonts as registry
from .fonts import measured_as
from .layout import Styles, read_rpr
from .ooxml import R_NS, add, replace_part, w

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
# The slots of a family, in the schema's order (CT_Font), by (bold, italic).
SLOTS = {
    (False, False): "embedRegular",
    (True, False): "embedBold",
    (False, True): "embedItalic",
    (True, True): "embedBoldItalic",
}
# Every embedded face also carries printable ASCII: page numbers, the contents' leaders and numbers,
# roman page numbers, and the odd correction an editor types, come from fields and edits.
ALWAYS = frozenset(chr(c) for c in range(0x20, 0x7F))
# fontTools' subsetter options, fixed: the result depends on the font and the characters alone.
SUBSET_OPTIONS = {
    # layout_features: fontTools' default list (kern, liga, calt, ccmp, locl, mark...), what word processors apply
    "name_IDs": ["*"],  # the family names readers match the font by, and its licence
    "name_languages": ["*"],
    "notdef_outline": True,
    "recalc_timestamp": False,
    "desubroutinize": True,  # plain charstrings, for the conversion to TrueType
    "hinting": False,  # TrueType hints are not converted from CFF's
}


@dataclass(frozen=True)
class Face:
    family: str  # as the styles name it
    bold: bool
    italic: bool
    file: str  # on the template search path


def slot(char: str) -> str:
    """The w:rFonts attribute whose font sets the character, as Word chooses it (ECMA-376 Part 1
    §17.3.2.26, simplified to the scripts papers are in): East Asian ideographs, kana, hangul and
    their punctuation and full-width forms in eastAsia, the rest ascii below U+0080 and hAnsi above."""
    code = ord(char)
    if (
        0x1100 <= code <= 0x11FF
        or 0x2E80 <= code <= 0x9FFF
        or 0xA960 <= code <= 0xA97F
        or 0xAC00 <= code <= 0xD7FF
        or 0xF900 <= code <= 0xFAFF
        or 0xFE30 <= code <= 0xFE4F
        or 0xFF00 <= code <= 0xFFEF
        or 0x20000 <= code <= 0x3FFFF
    ):
        return "eastAsia"
    return "ascii" if code < 0x80 else "hAnsi"


def vendored_face(family: str, bold: bool, italic: bool) -> Face | None:
    """The registry's file for exactly this face of a family, or None (not vendored, or no such
    face: Source Sans 3 has no bold italic, which the reader then slants from the bold)."""
    weight = "bold" if bold else "regular"
    for font in registry.FONTS:
        if font.family.lower() == family.lower() and font.weight == weight and font.italic == italic:
            return Face(font.family, bold, italic, font.file)
    return None


@dataclass(frozen=True)
class Usage:
    """What the text is set in: the characters of each vendored face, and the proportional
    families it names that are not vendored (a reader sets those in whatever it has)."""

    faces: dict[Face, frozenset[str]]
    foreign: frozenset[str]


def usage(stories, styles: Styles) -> Usage:
    """The faces the stories (body, notes, headers, footers) are set in."""
    used: dict[Face, set[str]] = {}
    foreign: set[str] = set()
    for story in stories:
        for p in story.iter(w("p")):
            ppr = p.find(w("pPr"))
            pstyle = ppr.find(w("pStyle")) if ppr is not None else None
            para = pstyle.get(w("val")) if pstyle is not None else None
            for run in p.iter(w("r")):
                rpr = run.find(w("rPr"))
                rstyle = rpr.find(w("rStyle")) if rpr is not None else None
                props = dict(styles.run(para, rstyle.get(w("val")) if rstyle is not None else None))
                if rpr is not None:
                    read_rpr(rpr, props)
                for char in "".join(t.text or "" for t in run.iter(w("t"))):
                    family = props.get("fonts", {}).get(slot(char)) or props["font"]
                    face = vendored_face(family, props["b"], props["i"])
                    if face is not None:
                        used.setdefault(face, set()).add(char)
                    elif not any(f.family.lower() == family.lower() for f in registry.FONTS):
                        if measured_as(family) is not None:  # monospaced: any such face has its advance
                            foreign.add(family)
    return Usage({face: frozenset(chars) for face, chars in used.items()}, frozenset(foreign))


def stories(document, footnotes) -> list:
    """The elements text is in: the body, the notes, the headers and footers."""
    parts = [rel.target_part for rel in document.part.rels.values() if rel.reltype in (RT.HEADER, RT.FOOTER)]
    return [document.element.body, *footnotes, *(part.element for part in parts)]


def list_labels(document) -> str:
    """The characters of the lists' labels (bullets, number punctuation), which no run holds."""
    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return ""
    return "".join(el.get(w("val"), "") for el in numbering.iter(w("lvlText")))


def subset(data: bytes, characters: set[str]) -> bytes:
    """The font with only the glyphs of these characters (and what they need), as TrueType outlines."""
    return _subset(data, frozenset(characters))


@functools.lru_cache(maxsize=16)
def _subset(data: bytes, characters: frozenset[str]) -> bytes:
    from fontTools import subset as fontsubset
    from fontTools.ttLib import TTFont

    options = fontsubset.Options(**SUBSET_OPTIONS)
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    subsetter = fontsubset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in characters))
    subsetter.subset(font)
    if "CFF " in font:
        to_truetype(font)
    out = io.BytesIO()
    font.save(out, reorderTables=True)
    return out.getvalue()


def to_truetype(font, max_err: float = 1.0) -> None:
    """CFF outlines as quadratic TrueType ones (glyf, loca, maxp 1.0, post 2), in place: fontTools'
    own otf2ttf recipe (Snippets/otf2ttf.py)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():  # left side bearings from the new outlines
        if hasattr(glyph, "xMin"):
            hmtx[name] = (hmtx[name][0], glyph.xMin)
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones maxTwilightPoints maxStorage maxFunctionDefs maxInstructionDefs maxStackElements "
        "maxSizeOfInstructions maxComponentElements"
    ).split():
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    maxp.maxComponentDepth = 0
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\000\001\000\000"


def font_key(data: bytes) -> str:
    """The GUID that keys a font's obfuscation, from its bytes (no randomness: builds repeat)."""
    return "{" + str(uuid.UUID(bytes=hashlib.sha256(data).digest()[:16])).upper() + "}"


def obfuscate(data: bytes, key: str) -> bytes:
    """ECMA-376 Part 1 §17.8.1: the first 32 bytes XORed with the key's 16 bytes, taken from the GUID
    string's hex digits read from the end (its last byte first), twice over. Its own inverse."""
    digits = key.strip("{}").replace("-", "")
    key_bytes = bytes.fromhex(digits)[::-1]
    head = bytes(b ^ key_bytes[i % 16] for i, b in enumerate(data[:32]))
    return head + data[32:]


def embed_fonts(document, stories, templates, extra: str = "") -> Usage:
    """Embed the vendored faces the stories use (each also with ALWAYS and `extra`) into the
    document: parts, font table entries, settings. Returns what the text is set in."""
    found = usage(stories, Styles(document.styles.element))
    used = found.faces
    if not used:
        return found
    table_part = document.part.part_related_by(RT.FONT_TABLE)
    table = etree.fromstring(table_part.blob)
    faces = sorted(used, key=lambda f: (f.family, f.bold, f.italic))
    for face in faces:
        data = subset(templates.find(face.file).read_bytes(), used[face] | ALWAYS | set(extra))
        key = font_key(data)
        package = document.part.package
        name = package.next_partname("/word/fonts/font%d.odttf")
        part = Part(PackURI(name), CONTENT_TYPE, obfuscate(data, key), package)
        rid = table_part.relate_to(part, RT.FONT)
        entry = _font_entry(table, face.family)
        for old in entry.findall(w(SLOTS[face.bold, face.italic])):
            entry.remove(old)
        # CT_Font ends in the four embed slots, in SLOTS' order: append each after those before it.
        embed = etree.Element(w(SLOTS[face.bold, face.italic]), {f"{{{R_NS}}}id": rid, w("fontKey"): key})
        later = [c for c in entry if etree.QName(c).localname in _after(SLOTS[face.bold, face.italic])]
        if later:
            later[0].addprevious(embed)
        else:
            entry.append(embed)
    replace_part(table_part, table)
    settings = document.settings.element
    for name in ("embedTrueTypeFonts", "saveSubsetFonts"):
        if settings.find(w(name)) is None:
            add(settings, name)
    return found


def _after(name: str) -> tuple[str, ...]:
    names = list(SLOTS.values())
    return tuple(names[names.index(name) + 1 :])


def _font_entry(table, family: str):
    """The font table's w:font for a family (as Word compares names, without case), added if none."""
    for entry in table.iterfind(w("font")):
        if (entry.get(w("name")) or "").lower() == family.lower():
            return entry
    return etree.SubElement(table, w("font"), {w("name"): family})

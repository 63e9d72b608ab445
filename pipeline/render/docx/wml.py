"""The pieces every story of the document is made of: paragraphs in a style, runs of marked text,
complex fields with their result written, bookmarks, and the bookmark names of the paper's ids."""

from __future__ import annotations

import hashlib
import re

from lxml import etree

from ...model import Document
from ...walk import query
from .ooxml import XML_SPACE, add, w

# A run carries one character style; the others of nested markup (a link in bold) become direct
# bold/italic. The first of these present is the run's style. (Marks are style keys: styles.py.)
STYLE_PRIORITY = ("Hyperlink", "VerbatimChar", "FootnoteReference", "LeadIn", "Strong", "Emphasis")
DIRECT = {"LeadIn": "b", "Strong": "b", "Emphasis": "i"}


class Pieces:
    """Makes paragraphs, runs, fields and bookmarks in the reference document's style ids."""

    def __init__(self, style_ids: dict[str, str]) -> None:
        self.style_ids = style_ids
        self._bookmark_ids = 0

    def para(self, container, style: str):
        """A paragraph of the style (a key of styles.py), appended to `container` unless it is None."""
        p = etree.Element(w("p")) if container is None else etree.SubElement(container, w("p"))
        etree.SubElement(etree.SubElement(p, w("pPr")), w("pStyle"), {w("val"): self.style_ids[style]})
        return p

    def run(self, parent, marks: tuple[str, ...]):
        run = etree.Element(w("r")) if parent is None else etree.SubElement(parent, w("r"))
        if not marks:
            return run
        rpr = etree.SubElement(run, w("rPr"))
        styled = next((m for m in STYLE_PRIORITY if m in marks), None)
        if styled:
            add(rpr, "rStyle", {w("val"): self.style_ids[styled]})
        for toggle in {DIRECT[m] for m in DIRECT if m in marks and m != styled}:
            add(rpr, toggle)
        return run

    def text(self, parent, text: str, marks: tuple[str, ...] = ()) -> None:
        """Text as one run: tabs and line ends as Word's own elements."""
        run = self.run(parent, marks)
        for piece in re.split(r"(\t|\n)", text):
            if piece == "\t":
                etree.SubElement(run, w("tab"))
            elif piece == "\n":
                etree.SubElement(run, w("br"))
            elif piece:
                t = etree.SubElement(run, w("t"))
                t.text = piece
                if piece != piece.strip():
                    t.set(XML_SPACE, "preserve")

    def field_start(self, parent, instruction: str, marks: tuple[str, ...] = ()) -> None:
        etree.SubElement(self.run(parent, marks), w("fldChar"), {w("fldCharType"): "begin"})
        instr = etree.SubElement(self.run(parent, marks), w("instrText"), {XML_SPACE: "preserve"})
        instr.text = instruction
        etree.SubElement(self.run(parent, marks), w("fldChar"), {w("fldCharType"): "separate"})

    def field_end(self, parent, marks: tuple[str, ...] = ()) -> None:
        etree.SubElement(self.run(parent, marks), w("fldChar"), {w("fldCharType"): "end"})

    def field(self, parent, instruction: str, result: str, marks: tuple[str, ...] = ()) -> None:
        """A complex field with its result already written (what Word shows until it updates it).
        Every run of it carries the same marks: LibreOffice formats a field as its first run."""
        self.field_start(parent, instruction, marks)
        if result:
            self.text(parent, result, marks)
        self.field_end(parent, marks)

    def bookmark_start(self, p, name: str | None) -> str | None:
        if not name:
            return None
        self._bookmark_ids += 1
        ident = str(self._bookmark_ids)
        etree.SubElement(p, w("bookmarkStart"), {w("id"): ident, w("name"): name})
        return ident

    def bookmark_end(self, p, ident: str | None) -> None:
        if ident is not None:
            etree.SubElement(p, w("bookmarkEnd"), {w("id"): ident})


def bookmark_names(doc: Document) -> dict[str, str]:
    """A Word bookmark name for every citable paragraph, heading, figure and table id: letters, digits
    and '_', at most 40 characters, starting with a letter (Word's rules), unique; long ids keep a hash
    of the whole. The paragraphs' come first, so that a citation's anchor "p-ii-3-4" is always
    "p_ii_3_4" (a heading given the id "p_ii_3_4" is the one that steps aside)."""
    ids = [b.id for b in query(doc, "para") if b.id]
    ids += [s.id for s in doc.sections()]
    ids += [b.id for b in query(doc, "figure", "table") if b.id]
    names: dict[str, str] = {}
    used: set[str] = set()
    for ident in ids:
        base = re.sub(r"[^A-Za-z0-9_]", "_", ident)
        if not base[:1].isalpha():
            base = "x" + base
        if len(base) > 40 or not ident.isascii():
            base = base[:33] + "_" + hashlib.sha1(ident.encode("utf-8")).hexdigest()[:6]
        name, n = base, 1
        while name.lower() in used:  # Word compares bookmark names without case
            n += 1
            name = f"{base[: 40 - len(str(n)) - 1]}_{n}"
        used.add(name.lower())
        names[ident] = name
    return names

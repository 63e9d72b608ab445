"""The chapters as WordprocessingML: headings, blocks and inlines (a table of kind -> function each),
figures and tables with SEQ-numbered captions, lists with their own numbering, and Word footnotes.

Everything takes a named style of the reference document; nothing is formatted directly but a table
cell's alignment and, where marks nest (bold inside a link), the outer mark (wml.Pieces.run).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.parser import parse_xml
from lxml import etree

from ...errors import Diagnostic, SourceError
from ...model import Document, Section
from .ooxml import R_NS, W_NS, XML_SPACE, add, w
from .package import DAMAGED_IMAGE, UNUSABLE_IMAGE, picture_inline
from .wml import Pieces

LINK_SCHEMES = ("http://", "https://", "mailto:", "ftp://")


@dataclass(frozen=True)
class Flow:
    """Where blocks go and which paragraph styles they take there."""

    container: etree._Element
    body: str = "BodyText"
    first: str = "FirstParagraph"
    depth: int = 0  # list nesting
    in_note: bool = False


class Body:
    """Writes the chapters into the document's body; collects the footnotes they cite."""

    def __init__(self, pieces: Pieces, document, doc: Document, text_width: int, bookmarks: dict[str, str]) -> None:
        self.pieces = pieces
        self.document = document
        self.part = document.part
        self.doc = doc
        self.text_width = text_width  # twips
        self.bookmarks = bookmarks
        self.notes = {note.number: note for chapter in doc.chapters for note in chapter.footnotes}
        self.noted: set[int] = set()
        self.cited_in_notes: list[int] = []  # notes cited inside the note being written, not yet referenced
        self.footnotes: list[etree._Element] = []

    def section(self, container, section: Section) -> None:
        pieces = self.pieces
        p = pieces.para(container, f"Heading{min(section.level, 3)}")
        start = pieces.bookmark_start(p, self.bookmarks[section.id])
        if section.label:
            pieces.text(p, section.label + section.label_gap)
        self.inlines(p, section.title, ())
        pieces.bookmark_end(p, start)
        self.blocks(Flow(container), section.blocks)
        for sub in section.sections:
            self.section(container, sub)

    # -- blocks --

    def blocks(self, flow: Flow, blocks) -> None:
        previous = None
        for block in blocks:
            BLOCKS[block.kind](self, flow, block, previous is None or previous.kind != "para")
            previous = block

    def block_para(self, flow: Flow, block, first: bool) -> None:
        p = self.pieces.para(flow.container, flow.first if first else flow.body)
        # A citable paragraph (pipeline/passages.py) is a bookmark: "p-ii-3-4" as Word spells it, "p_ii_3_4".
        start = self.pieces.bookmark_start(p, self.bookmarks.get(block.id)) if block.id else None
        self.inlines(p, block.inlines, ())
        self.pieces.bookmark_end(p, start)

    def block_quote(self, flow: Flow, block, first: bool) -> None:
        self.blocks(Flow(flow.container, "BlockText", "BlockText", flow.depth, flow.in_note), block.blocks)

    def block_list(self, flow: Flow, block, first: bool) -> None:
        depth = min(flow.depth + 1, 3)
        suffix = "" if depth == 1 else str(depth)
        item_style = ("ListNumber" if block.ordered else "ListBullet") + suffix
        more_style = "ListContinue" + suffix
        num_id = self.restart_numbering(item_style, depth - 1, block.start) if block.ordered else None
        inner = Flow(flow.container, more_style, more_style, depth, flow.in_note)
        for item in block.items:
            rest = item
            p = self.pieces.para(flow.container, item_style)
            if num_id is not None:
                set_num(p, num_id, depth - 1)
            if item and item[0].kind == "para":
                self.inlines(p, item[0].inlines, ())
                rest = item[1:]
            self.blocks(inner, rest)

    def block_code(self, flow: Flow, block, first: bool) -> None:
        self.pieces.text(self.pieces.para(flow.container, "SourceCode"), block.text.rstrip("\n"))

    def block_figure(self, flow: Flow, block, first: bool) -> None:
        pieces = self.pieces
        p = pieces.para(flow.container, "Figure")
        start = pieces.bookmark_start(p, self.bookmarks.get(block.id))
        self.picture(p, block.src, block.alt, flow)
        pieces.bookmark_end(p, start)
        caption = pieces.para(flow.container, "Caption")
        self.caption_label(caption, "Figure", block.number)
        self.inlines(caption, block.caption, ())

    def block_table(self, flow: Flow, block, first: bool) -> None:
        pieces = self.pieces
        target = None  # where the table's bookmark goes: its caption, else its first cell
        if block.caption:
            target = pieces.para(flow.container, "TableCaption")
            start = pieces.bookmark_start(target, self.bookmarks.get(block.id))
            self.caption_label(target, "Table", block.number)
            self.inlines(target, block.caption, ())
            pieces.bookmark_end(target, start)
        rows = [*block.head, *block.body]
        columns = max((len(row) for row in rows), default=1)
        tbl = etree.SubElement(flow.container, w("tbl"))
        tblpr = etree.SubElement(tbl, w("tblPr"))
        etree.SubElement(tblpr, w("tblStyle"), {w("val"): pieces.style_ids["Table"]})
        etree.SubElement(tblpr, w("tblW"), {w("w"): "5000", w("type"): "pct"})
        etree.SubElement(
            tblpr,
            w("tblLook"),
            {
                w("val"): "0420" if block.head else "0400",
                w("firstRow"): "1" if block.head else "0",
                w("lastRow"): "0",
                w("firstColumn"): "0",
                w("lastColumn"): "0",
                w("noHBand"): "1",
                w("noVBand"): "1",
            },
        )
        grid = etree.SubElement(tbl, w("tblGrid"))
        width = self.text_width // columns
        for _ in range(columns):
            etree.SubElement(grid, w("gridCol"), {w("w"): str(width)})
        for index, row in enumerate(rows):
            tr = etree.SubElement(tbl, w("tr"))
            if index < len(block.head):
                etree.SubElement(etree.SubElement(tr, w("trPr")), w("tblHeader"))
            for c in range(columns):
                cell = row[c] if c < len(row) else None
                tc = etree.SubElement(tr, w("tc"))
                etree.SubElement(etree.SubElement(tc, w("tcPr")), w("tcW"), {w("w"): str(width), w("type"): "dxa"})
                p = pieces.para(tc, "Compact")
                start = None
                if target is None:
                    target = p
                    start = pieces.bookmark_start(p, self.bookmarks.get(block.id))
                if cell is not None:
                    if cell.align in ("left", "center", "right"):
                        add(p.find(w("pPr")), "jc", {w("val"): cell.align})
                    self.inlines(p, cell.inlines, ())
                pieces.bookmark_end(p, start)
        if flow.in_note:  # a note, like a cell, must not end with a table
            pieces.para(flow.container, "FootnoteText")

    def block_break(self, flow: Flow, block, first: bool) -> None:
        self.pieces.para(flow.container, "ThematicBreak")

    # -- inlines --

    def inlines(self, parent, nodes, marks: tuple[str, ...]) -> None:
        for node in nodes:
            INLINES[node.kind](self, parent, node, marks)

    def inline_text(self, parent, node, marks) -> None:
        self.pieces.text(parent, node.text, marks)

    def inline_code(self, parent, node, marks) -> None:
        self.pieces.text(parent, node.text, (*marks, "VerbatimChar"))

    def inline_strong(self, parent, node, marks) -> None:
        self.inlines(parent, node.children, (*marks, "Strong"))

    def inline_emph(self, parent, node, marks) -> None:
        self.inlines(parent, node.children, (*marks, "Emphasis"))

    def inline_lead_in(self, parent, node, marks) -> None:
        self.inlines(parent, node.children, (*marks, "LeadIn"))

    def inline_link(self, parent, node, marks) -> None:
        attrs = {}
        if node.internal:
            name = self.bookmarks.get(node.target[1:])
            if name:
                attrs[w("anchor")] = name
        elif node.target.lower().startswith(LINK_SCHEMES):
            attrs[f"{{{R_NS}}}id"] = self.part.relate_to(node.target, RT.HYPERLINK, is_external=True)
        if not attrs or parent.tag == w("hyperlink"):  # unknown target or scheme: the words alone
            self.inlines(parent, node.children, marks)
            return
        if node.title:
            attrs[w("tooltip")] = node.title
        attrs[w("history")] = "1"
        link = etree.SubElement(parent, w("hyperlink"), attrs)
        self.inlines(link, node.children, (*marks, "Hyperlink"))

    def inline_image(self, parent, node, marks) -> None:
        self.picture(parent, node.src, node.alt, None)

    def inline_break(self, parent, node, marks) -> None:
        etree.SubElement(self.pieces.run(parent, marks), w("br"))

    def inline_footnote_ref(self, parent, node, marks) -> None:
        note = self.notes.get(node.number)
        inside = in_note(parent)
        if note is None or node.number in self.noted or inside:
            # A second reference to a note: Word notes have one reference; show its number. A note may
            # not hold a note reference (ECMA-376 17.11.14): it shows the number too, and the note
            # it cites gets its reference just after the citing note's, where the reader numbered it.
            self.pieces.text(parent, str(node.number), ("FootnoteReference",))
            if inside and note is not None and node.number not in self.noted:
                self.cited_in_notes.append(node.number)
            return
        self.footnote(parent, note)

    def footnote(self, parent, note) -> None:
        """The reference in the text and the note itself; then the notes first cited inside it."""
        pieces = self.pieces
        self.noted.add(note.number)
        run = pieces.run(parent, ("FootnoteReference",))
        etree.SubElement(run, w("footnoteReference"), {w("id"): str(note.number)})
        element = parse_xml(f'<w:footnote xmlns:w="{W_NS}" w:id="{note.number}"/>')
        outer, self.cited_in_notes = self.cited_in_notes, []
        self.blocks(Flow(element, "FootnoteText", "FootnoteText", 0, True), note.blocks)
        inner, self.cited_in_notes = self.cited_in_notes, outer
        first = element.find(w("p"))
        if first is None or first.getprevious() is not None:
            first = pieces.para(None, "FootnoteText")
            element.insert(0, first)
        mark = pieces.run(None, ("FootnoteReference",))
        etree.SubElement(mark, w("footnoteRef"))
        space = pieces.run(None, ())
        text = etree.SubElement(space, w("t"), {XML_SPACE: "preserve"})
        text.text = " "
        first.find(w("pPr")).addnext(mark)
        mark.addnext(space)
        self.footnotes.append(element)
        for number in inner:
            if number not in self.noted:
                self.footnote(parent, self.notes[number])

    # -- pieces of blocks --

    def caption_label(self, p, kind: str, number: int) -> None:
        """ "Figure 3. " with the number as a SEQ field, so Word renumbers captions an editor adds."""
        pieces = self.pieces
        pieces.text(p, f"{kind} ", ("Strong",))
        pieces.field(p, f" SEQ {kind} \\* ARABIC ", str(number), ("Strong",))
        pieces.text(p, ". ", ("Strong",))

    def picture(self, parent, src: str, alt: str, flow) -> None:
        """An image at its size, no wider than the text; its alt text where Word cannot show it
        (SVG, or inside a note, whose part has no relationships of its own here)."""
        if (flow is not None and flow.in_note) or in_note(parent):  # an inline image in a note too
            self.pieces.text(parent, alt, ("Emphasis",))
            return
        try:
            inline = picture_inline(self.part, Path(self.doc.source_dir) / src, self.text_width, alt)
        except UNUSABLE_IMAGE:
            self.pieces.text(parent, alt, ("Emphasis",))
            return
        except DAMAGED_IMAGE as exc:  # a damaged file: check_images stops these before
            raise SourceError(
                [Diagnostic(self.doc.source_dir, 1, f"image '{src}' cannot be used: {exc or 'damaged'}")]
            ) from None
        etree.SubElement(self.pieces.run(parent, ()), w("drawing")).append(inline)

    def restart_numbering(self, style: str, ilvl: int, start: int) -> int | None:
        """A new instance of the list style's numbering that starts at `start` (each ordered list
        counts from its own start); None if the style has no numbering."""
        sid = self.pieces.style_ids[style]
        style_el = self.document.styles.element.find(f"{w('style')}[@{w('styleId')}='{sid}']")
        num_id = style_el.find(f"{w('pPr')}/{w('numPr')}/{w('numId')}") if style_el is not None else None
        if num_id is None:
            return None
        numbering = self.part.numbering_part.element
        abstract = None
        for num in numbering.iterfind(w("num")):
            if num.get(w("numId")) == num_id.get(w("val")):
                abstract = num.find(w("abstractNumId")).get(w("val"))
        if abstract is None:
            return None
        num = numbering.add_num(int(abstract))
        num.add_lvlOverride(ilvl).add_startOverride(start)
        return num.numId


BLOCKS = {
    "para": Body.block_para,
    "block_quote": Body.block_quote,
    "list": Body.block_list,
    "code_block": Body.block_code,
    "figure": Body.block_figure,
    "table": Body.block_table,
    "thematic_break": Body.block_break,
}

INLINES = {
    "text": Body.inline_text,
    "code": Body.inline_code,
    "strong": Body.inline_strong,
    "emph": Body.inline_emph,
    "lead_in": Body.inline_lead_in,
    "link": Body.inline_link,
    "image": Body.inline_image,
    "line_break": Body.inline_break,
    "footnote_ref": Body.inline_footnote_ref,
}


def in_note(element) -> bool:
    """Whether an element is (inside) a w:footnote being written."""
    return element.tag == w("footnote") or next(element.iterancestors(w("footnote")), None) is not None


def set_num(p, num_id: int, ilvl: int) -> None:
    """A paragraph's own list instance."""
    numpr = add(p.find(w("pPr")), "numPr")
    etree.SubElement(numpr, w("ilvl"), {w("val"): str(ilvl)})
    etree.SubElement(numpr, w("numId"), {w("val"): str(num_id)})

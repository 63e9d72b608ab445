"""The DOCX edition: a Word document an editor can work in, on a reference document's styles.

python-docx opens the reference document found on the template search path (`docx/reference.docx`,
a designer's folder first; `scripts/make_reference_docx.py` regenerates the default), empties its
body and writes the paper into it. Everything is a named style of that document — paragraphs,
headings, lead-ins (a character style), lists, captions, tables, notes, the contents — so a designer
restyles the edition by editing the reference document in Word or LibreOffice (styles are found by
name, so a copy saved by either works). Nothing is formatted directly but a table cell's alignment
and, where marks nest (bold inside a link), the outer mark as plain bold or italic.

The document: a title page with the imprint; the contents, a real TOC field whose result is already
written (every heading, hyperlinked to its bookmark, with the page number estimated by
`layout`), so it is complete before anyone updates fields; then the chapters, with headings in
Heading 1–3 carrying the pipeline's generated numbers, internal links as bookmarks and hyperlinks,
and footnotes as Word footnotes. Two sections: the front matter (title page without furniture, roman
page numbers) and the text (running head with the paper's title, arabic page numbers from 1).

`w:updateFields` is not set: Word would greet every reader with a question about updating fields
that "may refer to other files", and the written result is already right but for page numbers,
which only a layout can know (Word and LibreOffice update them on request: F9 / Tools > Update).
"""

from __future__ import annotations

import copy
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.image.exceptions import InvalidImageStreamError, UnexpectedEndOfFileError, UnrecognizedImageError
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml.parser import parse_xml
from lxml import etree
from PIL import Image as PILImage

from ...errors import Diagnostic, SourceError
from ...model import Document, Section
from ...walk import query
from .. import Context
from ..common import check_images
from ..zipfix import normalize_zip
from . import outputs
from .layout import estimate_pages

REFERENCE = "docx/reference.docx"

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
DOCX_IMAGE_ERRORS = (InvalidImageStreamError, UnexpectedEndOfFileError)
LINK_SCHEMES = ("http://", "https://", "mailto:", "ftp://")

# The styles this edition writes, by their names in the reference document (Word's built-in names
# where Word has one: "heading 1", "toc 1", "caption"... shown localised in Word's style gallery).
PARAGRAPH_STYLES = (
    "Normal",
    "Title",
    "Subtitle",
    "Author",
    "Date",
    "Imprint",
    "TOC Heading",
    "toc 1",
    "toc 2",
    "toc 3",
    "heading 1",
    "heading 2",
    "heading 3",
    "First Paragraph",
    "Body Text",
    "Block Text",
    "List Bullet",
    "List Bullet 2",
    "List Bullet 3",
    "List Number",
    "List Number 2",
    "List Number 3",
    "List Continue",
    "List Continue 2",
    "List Continue 3",
    "Source Code",
    "Thematic Break",
    "Figure",
    "caption",
    "Table Caption",
    "Compact",
    "footnote text",
    "header",
    "footer",
)
CHARACTER_STYLES = ("Lead-in", "Strong", "Emphasis", "Hyperlink", "Verbatim Char", "footnote reference")
TABLE_STYLES = ("Table",)

# A run carries one character style; the others of nested markup (a link in bold) become direct
# bold/italic. The first of these present is the run's style.
STYLE_PRIORITY = ("Hyperlink", "Verbatim Char", "footnote reference", "Lead-in", "Strong", "Emphasis")
DIRECT = {"Lead-in": "b", "Strong": "b", "Emphasis": "i"}

# Where w:footnotePr goes in w:settings: before the first of these (CT_Settings' element order).
SETTINGS_AFTER_FOOTNOTEPR = (
    "endnotePr compat docVars rsids mathPr attachedSchema themeFontLang clrSchemeMapping "
    "doNotIncludeSubdocsInStats doNotAutoCompressPictures forceUpgrade captions readModeInkLockDown smartTagType "
    "schemaLibrary shapeDefaults doNotEmbedSmartTags decimalSymbol listSeparator"
).split()

# Parts of a designer's reference document that must not reach the edition.
DROPPED_PACKAGE_RELS = (RT.THUMBNAIL, RT.CUSTOM_PROPERTIES)
DROPPED_DOCUMENT_RELS = (RT.HEADER, RT.FOOTER, RT.COMMENTS, RT.CUSTOM_XML)
DROPPED_DOCUMENT_REL_SUFFIXES = ("/commentsExtended", "/commentsIds", "/commentsExtensible", "/people")


def w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def render(doc: Document, ctx: Context) -> dict[str, bytes]:
    check_images(doc)
    reference = ctx.templates.find(REFERENCE)
    document = docx.Document(str(reference))
    writer = _Writer(document, doc, ctx, reference)
    writer.write()
    buffer = io.BytesIO()
    document.save(buffer)
    return {outputs(doc.meta)[0]: normalize_zip(buffer.getvalue(), doc.meta.timestamp, first=("[Content_Types].xml",))}


# --- styles of the reference document ----------------------------------------------------------


def style_ids(document, reference: Path) -> dict[str, str]:
    """The styleId of every style this edition needs, by lower-cased name; all missing ones reported.

    Names, not ids: Word in another language saves localised ids ("berschrift1") but keeps the name.
    """
    exact: dict[tuple[str, str], str] = {}
    folded: dict[tuple[str, str], str] = {}
    for el in document.styles.element.iterfind(w("style")):
        name = el.find(w("name"))
        if name is not None:
            kind, value, sid = el.get(w("type")), name.get(w("val")), el.get(w("styleId"))
            exact.setdefault((kind, value), sid)
            folded.setdefault((kind, value.lower()), sid)
    ids, missing = {}, []
    for kind, names in (("paragraph", PARAGRAPH_STYLES), ("character", CHARACTER_STYLES), ("table", TABLE_STYLES)):
        for name in names:
            # The name as Word writes it first: LibreOffice keeps its own "Caption" beside Word's "caption".
            sid = exact.get((kind, name)) or folded.get((kind, name.lower()))
            if sid is None:
                missing.append(f"{kind} style '{name}'")
            else:
                ids[name.lower()] = sid
    if missing:
        raise SourceError(
            [
                Diagnostic(
                    str(reference),
                    1,
                    f"the reference document lacks {', '.join(missing)}; add them in Word or LibreOffice, "
                    "or start again from scripts/make_reference_docx.py",
                )
            ]
        )
    return ids


# --- writing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flow:
    """Where blocks go and which paragraph styles they take there."""

    container: etree._Element
    body: str = "body text"
    first: str = "first paragraph"
    depth: int = 0  # list nesting
    in_note: bool = False


class _Writer:
    def __init__(self, document, doc: Document, ctx: Context, reference: Path) -> None:
        self.document = document
        self.part = document.part
        self.doc = doc
        self.meta = doc.meta
        self.ctx = ctx
        self.styles = style_ids(document, reference)
        self.body = document.element.body
        self.bookmarks = bookmark_names(doc)
        self._bookmark_ids = 0
        self.notes = {note.number: note for chapter in doc.chapters for note in chapter.footnotes}
        self.noted: set[int] = set()
        self.cited_in_notes: list[int] = []  # notes cited inside the note being written, not yet referenced
        self.footnotes: list[etree._Element] = []

    # -- the whole document --

    def write(self) -> None:
        final_sectpr = self._clean_reference()
        self.text_width = text_width(final_sectpr)
        self._title_page()
        contents_heading = self._para(self.body, "toc heading")
        self._runs(contents_heading, self.meta.contents_title)
        first_body_index = len(self.body)
        for chapter in self.doc.chapters:
            self._section(chapter)
        body_elements = list(self.body[first_body_index:])
        self.body.append(final_sectpr)  # the last section's properties close the body
        pages = estimate_pages(body_elements, self.document, final_sectpr, self.ctx.templates, self.footnotes)
        last = self._contents(contents_heading, pages)
        self._sections(last, final_sectpr)
        self._footnotes_part()
        self._metadata()

    def _clean_reference(self):
        """Empty the reference document's body and drop what belongs to it rather than to its styles;
        returns the body's section properties (page setup), taken out until the text is written."""
        sectpr = self.body.find(w("sectPr"))
        if sectpr is None:  # Word's defaults
            sectpr = etree.Element(w("sectPr"))
        for child in list(self.body):
            self.body.remove(child)
        for child in list(sectpr):
            if child.tag in (w("headerReference"), w("footerReference"), w("titlePg"), w("pgNumType")):
                sectpr.remove(child)
        for rId, rel in list(self.part.rels.items()):
            if rel.reltype in DROPPED_DOCUMENT_RELS or rel.reltype.endswith(DROPPED_DOCUMENT_REL_SUFFIXES):
                del self.part.rels[rId]
        package = self.part.package
        for rId, rel in list(package.rels.items()):
            if rel.reltype in DROPPED_PACKAGE_RELS:
                del package.rels[rId]
        # The document's language: spelling, hyphenation and quotes follow it in Word and LibreOffice.
        styles = self.document.styles.element
        defaults = styles.find(w("docDefaults"))
        if defaults is None:
            defaults = etree.Element(w("docDefaults"))
            styles.insert(0, defaults)
        rpr_default = defaults.find(w("rPrDefault"))
        if rpr_default is None:
            rpr_default = etree.Element(w("rPrDefault"))
            defaults.insert(0, rpr_default)
        rpr = rpr_default.find(w("rPr"))
        if rpr is None:
            rpr = etree.SubElement(rpr_default, w("rPr"))
        lang = rpr.find(w("lang"))
        if lang is None:
            lang = etree.SubElement(rpr, w("lang"))
        lang.set(w("val"), self.meta.language)
        return sectpr

    def _title_page(self) -> None:
        meta = self.meta
        self._runs(self._para(self.body, "title"), meta.title)
        if meta.subtitle:
            self._runs(self._para(self.body, "subtitle"), meta.subtitle)
        for line in (meta.issuer, meta.country):
            if line:
                self._runs(self._para(self.body, "author"), line)
        self._runs(self._para(self.body, "date"), f"{meta.place}, {meta.date}" if meta.place else meta.date)
        imprint = []
        if meta.publisher:
            imprint.append(f"Published by {meta.publisher}.")
        if meta.rights:
            imprint.append(meta.rights)
        if meta.provenance:
            imprint.append(f"Source: {meta.provenance}")
        imprint.append(f"Identifier: {meta.identifier}")
        for line in imprint:
            self._runs(self._para(self.body, "imprint"), line)

    def _contents(self, heading, pages: dict[str, int]):
        """The TOC field after the contents heading, its result written out: every heading to level 3,
        linked to its bookmark, with the estimated page in a PAGEREF field. Returns the last paragraph."""
        entries = [s for s in self.doc.sections() if s.level <= 3]
        anchor = heading
        paragraphs = []
        for i, section in enumerate(entries):
            p = self._para(None, f"toc {section.level}")
            if i == 0:
                self._field_start(p, ' TOC \\o "1-3" \\h \\z \\u ')
            name = self.bookmarks[section.id]
            link = etree.SubElement(p, w("hyperlink"), {w("anchor"): name, w("history"): "1"})
            self._runs(link, section.heading_text)
            etree.SubElement(etree.SubElement(link, w("r")), w("tab"))
            page = pages.get(name)
            self._field(link, f" PAGEREF {name} \\h ", str(page) if page else "")
            paragraphs.append(p)
        if not paragraphs:  # a paper without headings: the field is there, empty, for Word to fill
            p = self._para(None, "toc 1")
            self._field_start(p, ' TOC \\o "1-3" \\h \\z \\u ')
            paragraphs.append(p)
        self._field_end(paragraphs[-1])
        for p in paragraphs:
            anchor.addnext(p)
            anchor = p
        return paragraphs[-1]

    def _sections(self, last_toc, final_sectpr) -> None:
        """Two sections: the front matter (title page bare; contents with a roman page number) and
        the text (the paper's title as running head, page numbers from 1)."""
        # The front matter's section ends in a paragraph of its own: LibreOffice loses the section's
        # footer when the break sits in the paragraph that ends the TOC field.
        front = copy.deepcopy(final_sectpr)
        breaker = self._para(None, "normal")
        last_toc.addnext(breaker)
        breaker.find(w("pPr")).append(front)
        set_page_numbers(front, "lowerRoman")
        set_page_numbers(final_sectpr, "decimal")
        front_section, text_section = self.document.sections
        front_section.different_first_page_header_footer = True
        for story in (front_section.first_page_header, front_section.first_page_footer, front_section.header):
            story.is_linked_to_previous = False
            self._restyle_story(story, "normal")  # empty: no running head on the title and contents
        # Each section has its own footer, though the same: LibreOffice does not carry a footer over
        # into a section after one with a different first page.
        for section in (front_section, text_section):
            section.footer.is_linked_to_previous = False
            self._field(self._restyle_story(section.footer, "footer"), " PAGE ", "1")
        text_section.header.is_linked_to_previous = False
        self._runs(self._restyle_story(text_section.header, "header"), self.meta.title)

    def _restyle_story(self, story, style: str):
        """A header or footer emptied to one paragraph of the given style; returns that paragraph."""
        element = story._element
        for child in list(element):
            element.remove(child)
        return self._para(element, style)

    # -- blocks --

    def _section(self, section: Section) -> None:
        level = min(section.level, 3)
        p = self._para(self.body, f"heading {level}")
        name = self.bookmarks[section.id]
        start = self._bookmark_start(p, name)
        if section.label:
            self._runs(p, section.label + section.label_gap)
        self._inlines(p, section.title, ())
        self._bookmark_end(p, start)
        self._blocks(Flow(self.body), section.blocks)
        for sub in section.sections:
            self._section(sub)

    def _blocks(self, flow: Flow, blocks) -> None:
        previous = None
        for block in blocks:
            BLOCKS[block.kind](self, flow, block, previous is None or previous.kind != "para")
            previous = block

    def _block_para(self, flow: Flow, block, first: bool) -> None:
        p = self._para(flow.container, flow.first if first else flow.body)
        self._inlines(p, block.inlines, ())

    def _block_quote(self, flow: Flow, block, first: bool) -> None:
        self._blocks(Flow(flow.container, "block text", "block text", flow.depth, flow.in_note), block.blocks)

    def _block_list(self, flow: Flow, block, first: bool) -> None:
        depth = min(flow.depth + 1, 3)
        suffix = "" if depth == 1 else f" {depth}"
        item_style = ("list number" if block.ordered else "list bullet") + suffix
        more_style = "list continue" + suffix
        num_id = self._restart_numbering(item_style, depth - 1, block.start) if block.ordered else None
        inner = Flow(flow.container, more_style, more_style, depth, flow.in_note)
        for item in block.items:
            rest = item
            p = self._para(flow.container, item_style)
            if num_id is not None:
                set_num(p, num_id, depth - 1)
            if item and item[0].kind == "para":
                self._inlines(p, item[0].inlines, ())
                rest = item[1:]
            self._blocks(inner, rest)

    def _block_code(self, flow: Flow, block, first: bool) -> None:
        p = self._para(flow.container, "source code")
        self._runs(p, block.text.rstrip("\n"))

    def _block_figure(self, flow: Flow, block, first: bool) -> None:
        p = self._para(flow.container, "figure")
        start = self._bookmark_start(p, self.bookmarks.get(block.id))
        self._picture(p, block.src, block.alt, flow)
        self._bookmark_end(p, start)
        caption = self._para(flow.container, "caption")
        self._caption_label(caption, "Figure", block.number)
        self._inlines(caption, block.caption, ())

    def _block_table(self, flow: Flow, block, first: bool) -> None:
        target = None  # where the table's bookmark goes: its caption, else its first cell
        if block.caption:
            target = self._para(flow.container, "table caption")
            start = self._bookmark_start(target, self.bookmarks.get(block.id))
            self._caption_label(target, "Table", block.number)
            self._inlines(target, block.caption, ())
            self._bookmark_end(target, start)
        rows = [*block.head, *block.body]
        columns = max((len(row) for row in rows), default=1)
        tbl = etree.SubElement(flow.container, w("tbl"))
        tblpr = etree.SubElement(tbl, w("tblPr"))
        etree.SubElement(tblpr, w("tblStyle"), {w("val"): self.styles["table"]})
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
                p = self._para(tc, "compact")
                start = None
                if target is None:
                    target = p
                    start = self._bookmark_start(p, self.bookmarks.get(block.id))
                if cell is not None:
                    if cell.align in ("left", "center", "right"):
                        etree.SubElement(p.find(w("pPr")), w("jc"), {w("val"): cell.align})
                    self._inlines(p, cell.inlines, ())
                self._bookmark_end(p, start)
        if flow.in_note:  # a note, like a cell, must not end with a table
            self._para(flow.container, "footnote text")

    def _block_break(self, flow: Flow, block, first: bool) -> None:
        self._para(flow.container, "thematic break")

    # -- inlines --

    def _inlines(self, parent, nodes, marks: tuple[str, ...]) -> None:
        for node in nodes:
            INLINES[node.kind](self, parent, node, marks)

    def _inline_text(self, parent, node, marks) -> None:
        self._runs(parent, node.text, marks)

    def _inline_code(self, parent, node, marks) -> None:
        self._runs(parent, node.text, (*marks, "verbatim char"))

    def _inline_strong(self, parent, node, marks) -> None:
        self._inlines(parent, node.children, (*marks, "strong"))

    def _inline_emph(self, parent, node, marks) -> None:
        self._inlines(parent, node.children, (*marks, "emphasis"))

    def _inline_lead_in(self, parent, node, marks) -> None:
        self._inlines(parent, node.children, (*marks, "lead-in"))

    def _inline_link(self, parent, node, marks) -> None:
        attrs = {}
        if node.internal:
            name = self.bookmarks.get(node.target[1:])
            if name:
                attrs[w("anchor")] = name
        elif node.target.lower().startswith(LINK_SCHEMES):
            attrs[f"{{{R_NS}}}id"] = self.part.relate_to(node.target, RT.HYPERLINK, is_external=True)
        if not attrs or parent.tag == w("hyperlink"):  # unknown target or scheme: the words alone
            self._inlines(parent, node.children, marks)
            return
        if node.title:
            attrs[w("tooltip")] = node.title
        attrs[w("history")] = "1"
        link = etree.SubElement(parent, w("hyperlink"), attrs)
        self._inlines(link, node.children, (*marks, "hyperlink"))

    def _inline_image(self, parent, node, marks) -> None:
        self._picture(parent, node.src, node.alt, None)

    def _inline_break(self, parent, node, marks) -> None:
        etree.SubElement(self._run(parent, marks), w("br"))

    def _inline_footnote_ref(self, parent, node, marks) -> None:
        note = self.notes.get(node.number)
        in_note = _in_note(parent)
        if note is None or node.number in self.noted or in_note:
            # A second reference to a note: Word notes have one reference; show its number. A note may
            # not hold a note reference (ECMA-376 17.11.14): it shows the number too, and the note
            # it cites gets its reference just after the citing note's, where the reader numbered it.
            self._runs(parent, str(node.number), ("footnote reference",))
            if in_note and note is not None and node.number not in self.noted:
                self.cited_in_notes.append(node.number)
            return
        self._footnote(parent, note)

    def _footnote(self, parent, note) -> None:
        """The reference in the text and the note itself; then the notes first cited inside it."""
        self.noted.add(note.number)
        run = self._run(parent, ("footnote reference",))
        etree.SubElement(run, w("footnoteReference"), {w("id"): str(note.number)})
        element = parse_xml(f'<w:footnote xmlns:w="{W_NS}" w:id="{note.number}"/>')
        outer, self.cited_in_notes = self.cited_in_notes, []
        self._blocks(Flow(element, "footnote text", "footnote text", 0, True), note.blocks)
        inner, self.cited_in_notes = self.cited_in_notes, outer
        first = element.find(w("p"))
        if first is None or first.getprevious() is not None:
            first = self._para(None, "footnote text")
            element.insert(0, first)
        mark = self._run(None, ("footnote reference",))
        etree.SubElement(mark, w("footnoteRef"))
        space = self._run(None, ())
        text = etree.SubElement(space, w("t"), {XML_SPACE: "preserve"})
        text.text = " "
        first.find(w("pPr")).addnext(mark)
        mark.addnext(space)
        self.footnotes.append(element)
        for number in inner:
            if number not in self.noted:
                self._footnote(parent, self.notes[number])

    # -- pieces --

    def _para(self, container, style: str):
        p = etree.Element(w("p")) if container is None else etree.SubElement(container, w("p"))
        etree.SubElement(etree.SubElement(p, w("pPr")), w("pStyle"), {w("val"): self.styles[style]})
        return p

    def _run(self, parent, marks: tuple[str, ...]):
        run = etree.Element(w("r")) if parent is None else etree.SubElement(parent, w("r"))
        if not marks:
            return run
        rpr = etree.SubElement(run, w("rPr"))
        styled = next((m for m in STYLE_PRIORITY if m.lower() in marks), None)
        if styled:
            etree.SubElement(rpr, w("rStyle"), {w("val"): self.styles[styled.lower()]})
        direct = {DIRECT[m] for m in DIRECT if m.lower() in marks and m != styled}
        for toggle in ("b", "i"):  # CT_RPr order: b before i
            if toggle in direct:
                etree.SubElement(rpr, w(toggle))
        return run

    def _runs(self, parent, text: str, marks: tuple[str, ...] = ()) -> None:
        """Text as one run: tabs and line ends as Word's own elements."""
        run = self._run(parent, marks)
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

    def _field_start(self, parent, instruction: str, marks: tuple[str, ...] = ()) -> None:
        etree.SubElement(self._run(parent, marks), w("fldChar"), {w("fldCharType"): "begin"})
        instr = etree.SubElement(self._run(parent, marks), w("instrText"), {XML_SPACE: "preserve"})
        instr.text = instruction
        etree.SubElement(self._run(parent, marks), w("fldChar"), {w("fldCharType"): "separate"})

    def _field_end(self, parent, marks: tuple[str, ...] = ()) -> None:
        etree.SubElement(self._run(parent, marks), w("fldChar"), {w("fldCharType"): "end"})

    def _field(self, parent, instruction: str, result: str, marks: tuple[str, ...] = ()) -> None:
        """A complex field with its result already written (what Word shows until it updates it).
        Every run of it carries the same marks: LibreOffice formats a field as its first run."""
        self._field_start(parent, instruction, marks)
        if result:
            self._runs(parent, result, marks)
        self._field_end(parent, marks)

    def _caption_label(self, p, kind: str, number: int) -> None:
        """ "Figure 3. " with the number as a SEQ field, so Word renumbers captions an editor adds."""
        self._runs(p, f"{kind} ", ("strong",))
        self._field(p, f" SEQ {kind} \\* ARABIC ", str(number), ("strong",))
        self._runs(p, ". ", ("strong",))

    def _bookmark_start(self, p, name: str | None):
        if not name:
            return None
        self._bookmark_ids += 1
        ident = str(self._bookmark_ids)
        etree.SubElement(p, w("bookmarkStart"), {w("id"): ident, w("name"): name})
        return ident

    def _bookmark_end(self, p, ident: str | None) -> None:
        if ident is not None:
            etree.SubElement(p, w("bookmarkEnd"), {w("id"): ident})

    def _picture(self, parent, src: str, alt: str, flow) -> None:
        """An image at its size, no wider than the text; its alt text where Word cannot show it
        (SVG, or inside a note, whose part has no relationships of its own here)."""
        path = Path(self.doc.source_dir) / src
        if (flow is not None and flow.in_note) or _in_note(parent):  # an inline image in a note too
            self._runs(parent, alt, ("emphasis",))
            return
        try:
            _, image = self.part.get_or_add_image(_picture_file(path))
            width = min(image.width, self.text_width * 635)
            inline = self.part.new_pic_inline(_picture_file(path), width=width)
        except (UnrecognizedImageError, OSError, ValueError):
            self._runs(parent, alt, ("emphasis",))
            return
        except DOCX_IMAGE_ERRORS as exc:  # a damaged file: check_images stops these before
            raise SourceError(
                [Diagnostic(self.doc.source_dir, 1, f"image '{src}' cannot be used: {exc or 'damaged'}")]
            ) from None
        for side in ("distT", "distB", "distL", "distR"):  # LibreOffice's default is not 0
            inline.set(side, "0")
        inline.docPr.set("descr", alt)
        inline.docPr.set("name", Path(src).name)
        etree.SubElement(self._run(parent, ()), w("drawing")).append(inline)

    def _restart_numbering(self, style: str, ilvl: int, start: int) -> int | None:
        """A new instance of the list style's numbering that starts at `start` (each ordered list
        counts from its own start); None if the style has no numbering."""
        style_el = self.document.styles.element.find(f"{w('style')}[@{w('styleId')}='{self.styles[style]}']")
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

    # -- parts --

    def _footnotes_part(self) -> None:
        """word/footnotes.xml: Word's separators and one w:footnote per note (python-docx has no API).

        A reference document saved by Word or LibreOffice may have notes parts already (its settings
        then name their separators): they are kept, emptied of the reference document's own notes."""
        existing = {}
        for rel in self.part.rels.values():
            if rel.reltype in (RT.FOOTNOTES, RT.ENDNOTES):
                existing[rel.reltype] = rel.target_part
        if RT.ENDNOTES in existing:
            _set_part_xml(existing[RT.ENDNOTES], _only_separators(existing[RT.ENDNOTES].blob, "endnote"))
        if not self.footnotes and RT.FOOTNOTES not in existing:
            return
        if RT.FOOTNOTES in existing:
            root = _only_separators(existing[RT.FOOTNOTES].blob, "footnote")
        else:
            root = etree.fromstring(
                f'<w:footnotes xmlns:w="{W_NS}" xmlns:r="{R_NS}">'
                '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
                'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
                '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" '
                'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
                "</w:footnotes>"
            )
        for note in self.footnotes:
            root.append(note)
        if RT.FOOTNOTES in existing:
            _set_part_xml(existing[RT.FOOTNOTES], root)
        else:
            blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, blob, self.part.package)
            self.part.relate_to(part, RT.FOOTNOTES)
        settings = self.document.settings.element
        if settings.find(w("footnotePr")) is None:
            separators = "".join(
                f'<w:footnote w:id="{n.get(w("id"))}"/>' for n in root.iterfind(w("footnote")) if n.get(w("type"))
            )
            footnote_pr = parse_xml(f'<w:footnotePr xmlns:w="{W_NS}">{separators}</w:footnotePr>')
            later = next((c for c in settings if etree.QName(c).localname in SETTINGS_AFTER_FOOTNOTEPR), None)
            if later is not None:
                later.addprevious(footnote_pr)
            else:
                settings.append(footnote_pr)

    def _metadata(self) -> None:
        """Core properties (all of them, none left from the reference document) and the app properties."""
        meta = self.meta
        props = self.document.core_properties
        element = props._element
        for child in list(element):
            element.remove(child)
        # Written into the elements, not through python-docx's setters: those refuse text over 255
        # characters, a limit of python-docx alone (the core properties are xsd:string in ECMA-376
        # Part 2, and Word and LibreOffice read longer ones). The paper's words are kept whole.
        texts = {
            "title": meta.title,
            "subject": meta.subtitle or meta.description,
            "creator": meta.creator,
            "lastModifiedBy": meta.creator,
            "keywords": ", ".join(meta.keywords),
            "language": meta.language,
            "identifier": meta.identifier,
            "description": meta.description,
        }
        for name, text in texts.items():
            getattr(element, f"get_or_add_{name}")().text = text
        props.revision = 1
        stamp = meta.timestamp.replace(tzinfo=None)
        props.created = props.modified = stamp
        company = meta.publisher or meta.issuer
        app = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>pipeline (python-docx)</Application><DocSecurity>0</DocSecurity>"
            + (f"<Company>{_xml_text(company)}</Company>" if company else "")
            + "</Properties>"
        ).encode("utf-8")
        package = self.part.package
        try:
            package.part_related_by(RT.EXTENDED_PROPERTIES)._blob = app
        except KeyError:
            part = Part(PackURI("/docProps/app.xml"), CT.OFC_EXTENDED_PROPERTIES, app, package)
            package.relate_to(part, RT.EXTENDED_PROPERTIES)


BLOCKS = {
    "para": _Writer._block_para,
    "block_quote": _Writer._block_quote,
    "list": _Writer._block_list,
    "code_block": _Writer._block_code,
    "figure": _Writer._block_figure,
    "table": _Writer._block_table,
    "thematic_break": _Writer._block_break,
}

INLINES = {
    "text": _Writer._inline_text,
    "code": _Writer._inline_code,
    "strong": _Writer._inline_strong,
    "emph": _Writer._inline_emph,
    "lead_in": _Writer._inline_lead_in,
    "link": _Writer._inline_link,
    "image": _Writer._inline_image,
    "line_break": _Writer._inline_break,
    "footnote_ref": _Writer._inline_footnote_ref,
}


# --- helpers ---------------------------------------------------------------------------------


def _in_note(element) -> bool:
    """Whether an element is (inside) a w:footnote being written."""
    return element.tag == w("footnote") or next(element.iterancestors(w("footnote")), None) is not None


def _picture_file(path: Path):
    """The image as python-docx can read it: WebP (which it does not read, nor older Words) as PNG."""
    if path.suffix.lower() != ".webp":
        return str(path)
    buffer = io.BytesIO()
    with PILImage.open(path) as image:
        image.save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def bookmark_names(doc: Document) -> dict[str, str]:
    """A Word bookmark name for every heading, figure and table id: letters, digits and '_', at most
    40 characters, starting with a letter (Word's rules), unique; long ids keep a hash of the whole."""
    ids = [s.id for s in doc.sections()]
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


def text_width(sectpr) -> int:
    """The width of the text on the page, in twips (Word's defaults where the section has none)."""
    size, margins = sectpr.find(w("pgSz")), sectpr.find(w("pgMar"))
    width = int(size.get(w("w"), "12240")) if size is not None else 12240
    if margins is not None:
        width -= int(margins.get(w("left"), "1440")) + int(margins.get(w("right"), "1440"))
    else:
        width -= 2880
    return max(width, 1440)


def set_page_numbers(sectpr, fmt: str) -> None:
    """Page numbers of a section: in `fmt`, from 1; the sectPr child goes where the schema wants it."""
    for old in sectpr.findall(w("pgNumType")):
        sectpr.remove(old)
    element = etree.Element(w("pgNumType"), {w("fmt"): fmt, w("start"): "1"})
    # CT_SectPr order: ... pgSz, pgMar, paperSrc, pgBorders, lnNumType, pgNumType, cols, ...
    later = next(
        (
            c
            for c in sectpr
            if etree.QName(c).localname
            in ("cols", "formProt", "vAlign", "noEndnote", "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid")
        ),
        None,
    )
    if later is not None:
        later.addprevious(element)
    else:
        sectpr.append(element)


def set_num(p, num_id: int, ilvl: int) -> None:
    """A paragraph's own list instance (numPr right after pStyle, as CT_PPr orders it)."""
    numpr = etree.Element(w("numPr"))
    etree.SubElement(numpr, w("ilvl"), {w("val"): str(ilvl)})
    etree.SubElement(numpr, w("numId"), {w("val"): str(num_id)})
    p.find(w("pPr")).find(w("pStyle")).addnext(numpr)


def _only_separators(blob: bytes, kind: str):
    """A notes part's root with only its separator notes (those with a w:type) left."""
    root = etree.fromstring(blob)
    for note in root.findall(w(kind)):
        if note.get(w("type")) in (None, "normal"):
            root.remove(note)
    return root


def _set_part_xml(part, root) -> None:
    """New XML for a part python-docx loaded, whether it parsed it (an XmlPart) or kept its bytes."""
    if hasattr(part, "_element"):
        part._element = parse_xml(etree.tostring(root))
    else:
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

"""Estimated page numbers for the DOCX edition's contents, from a small layout of the body.

A TOC field's page numbers are only known after a layout, which neither python-docx nor the reader's
word processor does before showing the cached result (LibreOffice keeps the cached numbers even when
it converts to PDF). So the contents carries estimates, made here the way Word and LibreOffice set
text: the page and margins of the section; each paragraph's style resolved through `basedOn` (spacing,
indents, line rule, keep-with-next, keep-lines, page break before, widow control); each run's font
and size; words measured with the vendored fonts' advance widths and broken greedily into lines; a
table row kept whole; footnotes taking room at the foot of their page. The fonts measured are the ones the document
embeds (embed.py), so LibreOffice sets the text as measured on any machine: the DOCX tests audit
every entry against LibreOffice's PDF (tests/docxaudit.py). Where the text names a proportional
family we do not have, the writer shows no estimate and asks for an update instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PIL import ImageFont

from ...errors import SourceError
from .fonts import measured_as
from .ooxml import WP_NS, on, w

UNITS = 1000  # measuring size: widths come back in thousandths of an em
BREAK_AFTER = re.compile(r"[^\s\-\u2010\u2013\u2014]*[\-\u2010\u2013\u2014]+|[^\s\-\u2010\u2013\u2014]+|\s+")


def memo(method):
    """Cache a method's results on its instance (freed with it, unlike functools.cache)."""

    def wrapper(self, *args):
        cache = self.__dict__.setdefault("_memo_" + method.__name__, {})
        if args not in cache:
            cache[args] = method(self, *args)
        return cache[args]

    return wrapper


def twips(value, default: float = 0.0) -> float:
    """A twips attribute in points."""
    return int(value) / 20 if value not in (None, "") else default


# --- fonts -----------------------------------------------------------------------------------


class Fonts:
    """Advance widths and line heights of the families the styles name, in points."""

    def __init__(self, templates) -> None:
        self.templates = templates

    @memo
    def _face(self, family: str, bold: bool, italic: bool):
        vendored = measured_as(family)
        if vendored is None:
            return None  # monospaced: a fixed advance
        try:
            path = self.templates.find(vendored.file(bold, italic))
        except SourceError:  # no font file: estimate with a fixed advance
            return None
        return ImageFont.truetype(str(path), UNITS, layout_engine=ImageFont.Layout.BASIC)

    @memo
    def width(self, family: str, bold: bool, italic: bool, text: str) -> float:
        """The advance of text at 1 pt."""
        face = self._face(family, bold, italic)
        if face is None:
            return 0.6 * len(text)
        return face.getlength(text) / UNITS

    @memo
    def line(self, family: str, bold: bool, italic: bool) -> float:
        """A single line's height at 1 pt: ascent + descent (the vendored fonts have no line gap)."""
        face = self._face(family, bold, italic)
        if face is None:
            return 1.2
        ascent, descent = face.getmetrics()
        return (ascent + descent) / UNITS


# --- styles ----------------------------------------------------------------------------------


class Styles:
    """Paragraph and run properties as the styles (through basedOn) and docDefaults give them."""

    def __init__(self, styles_element) -> None:
        self.by_id = {el.get(w("styleId")): el for el in styles_element.iterfind(w("style"))}
        defaults = styles_element.find(w("docDefaults"))
        self.default_ppr = defaults.find(f"{w('pPrDefault')}/{w('pPr')}") if defaults is not None else None
        self.default_rpr = defaults.find(f"{w('rPrDefault')}/{w('rPr')}") if defaults is not None else None
        self.default_para = next(
            (
                sid
                for sid, el in self.by_id.items()
                if el.get(w("type")) == "paragraph" and el.get(w("default")) in ("1", "true")
            ),
            None,
        )

    def chain(self, sid):
        """The style and those it is based on, the root first."""
        seen, out = set(), []
        while sid and sid in self.by_id and sid not in seen:
            seen.add(sid)
            out.append(self.by_id[sid])
            based = self.by_id[sid].find(w("basedOn"))
            sid = based.get(w("val")) if based is not None else None
        return out[::-1]

    @memo
    def para(self, sid) -> dict:
        props = {}
        if self.default_ppr is not None:
            read_ppr(self.default_ppr, props)
        for el in self.chain(sid or self.default_para):
            ppr = el.find(w("pPr"))
            if ppr is not None:
                read_ppr(ppr, props)
        return props

    @memo
    def run(self, para_sid, char_sid) -> dict:
        props = {"font": "Times New Roman", "size": 10.0, "b": False, "i": False}
        if self.default_rpr is not None:
            read_rpr(self.default_rpr, props)
        for sid in (para_sid or self.default_para, char_sid):
            for el in self.chain(sid) if sid else ():
                rpr = el.find(w("rPr"))
                if rpr is not None:
                    read_rpr(rpr, props)
        return props


def read_ppr(ppr, props: dict) -> None:
    spacing = ppr.find(w("spacing"))
    if spacing is not None:
        for key in ("before", "after", "line"):
            if spacing.get(w(key)) is not None:
                props[key] = int(spacing.get(w(key)))
        if spacing.get(w("lineRule")) is not None:
            props["lineRule"] = spacing.get(w("lineRule"))
        elif spacing.get(w("line")) is not None:
            props["lineRule"] = "auto"
    ind = ppr.find(w("ind"))
    if ind is not None:
        for key, attrs in (("left", ("left", "start")), ("right", ("right", "end"))):
            for attr in attrs:
                if ind.get(w(attr)) is not None:
                    props[key] = int(ind.get(w(attr)))
        if ind.get(w("firstLine")) is not None:
            props["first"] = int(ind.get(w("firstLine")))
        if ind.get(w("hanging")) is not None:
            props["first"] = -int(ind.get(w("hanging")))
    for key in ("keepNext", "keepLines", "pageBreakBefore", "widowControl"):
        value = on(ppr.find(w(key)))
        if value is not None:
            props[key] = value
    borders = ppr.find(w("pBdr"))
    if borders is not None:
        extra = 0.0
        for side in ("top", "bottom"):
            border = borders.find(w(side))
            if border is not None and border.get(w("val")) not in ("nil", "none"):
                extra += int(border.get(w("space"), "0")) + int(border.get(w("sz"), "4")) / 8
        props["border"] = extra


def read_rpr(rpr, props: dict) -> None:
    fonts = rpr.find(w("rFonts"))
    if fonts is not None:
        if fonts.get(w("ascii")):
            props["font"] = fonts.get(w("ascii"))
        # Each script's font (embed.py): a new dict, as props may be a cached style's.
        named = {slot: fonts.get(w(slot)) for slot in ("ascii", "hAnsi", "eastAsia", "cs") if fonts.get(w(slot))}
        if named:
            props["fonts"] = {**props.get("fonts", {}), **named}
    size = rpr.find(w("sz"))
    if size is not None:
        props["size"] = int(size.get(w("val"))) / 2
    for key in ("b", "i"):
        value = on(rpr.find(w(key)))
        if value is not None:
            props[key] = value
    valign = rpr.find(w("vertAlign"))
    if valign is not None:
        props["script"] = valign.get(w("val")) in ("superscript", "subscript")


# --- layout ----------------------------------------------------------------------------------


@dataclass
class Block:
    """A paragraph or table row as the page sees it: line heights and how it may break."""

    lines: list[float]
    before: float = 0.0
    after: float = 0.0
    keep_next: bool = False
    keep_lines: bool = False
    break_before: bool = False
    widow_control: bool = True
    bookmarks: tuple[str, ...] = ()
    notes: float = 0.0  # room its footnotes take at the foot of the page

    @property
    def height(self) -> float:
        return sum(self.lines)


class Layout:
    def __init__(self, document, sectpr, templates, footnotes) -> None:
        self.styles = Styles(document.styles.element)
        self.fonts = Fonts(templates)
        size = sectpr.find(w("pgSz"))
        margins = sectpr.find(w("pgMar"))
        width = twips(size.get(w("w")) if size is not None else None, 612)
        height = twips(size.get(w("h")) if size is not None else None, 792)
        get = (lambda k, d: twips(margins.get(w(k)), d)) if margins is not None else (lambda k, d: d)
        self.text_width = width - get("left", 72) - get("right", 72)
        self.text_height = height - abs(get("top", 72)) - abs(get("bottom", 72))
        self.notes = {el.get(w("id")): el for el in footnotes}

    # -- measuring --

    def paragraph(self, p, width: float | None = None) -> Block:
        ppr = p.find(w("pPr"))
        style = ppr.find(w("pStyle")).get(w("val")) if ppr is not None and ppr.find(w("pStyle")) is not None else None
        props = dict(self.styles.para(style))
        if ppr is not None:
            read_ppr(ppr, props)
        width = self.text_width if width is None else width
        left, right = props.get("left", 0) / 20, props.get("right", 0) / 20
        first = props.get("first", 0) / 20
        avail = width - left - right
        base = self.styles.run(style, None)
        lines: list[float] = []
        line_width, line_top, first_line = 0.0, 0.0, True
        notes = 0.0
        pending_space = 0.0

        def limit() -> float:
            return avail - first if first_line else avail

        def new_line():
            nonlocal line_width, line_top, first_line, pending_space
            lines.append(self._line_height(props, line_top or base["size"] * self._line_factor(base)))
            line_width, line_top, first_line, pending_space = 0.0, 0.0, False, 0.0

        for run in p.iter(w("r")):
            rpr = run.find(w("rPr"))
            char = (
                rpr.find(w("rStyle")).get(w("val")) if rpr is not None and rpr.find(w("rStyle")) is not None else None
            )
            rp = dict(self.styles.run(style, char))
            if rpr is not None:
                read_rpr(rpr, rp)
            size = rp["size"] * (0.66 if rp.get("script") else 1)
            natural = rp["size"] * self._line_factor(rp)
            for child in run:
                tag = child.tag
                if tag == w("t"):
                    for token in BREAK_AFTER.findall(child.text or ""):
                        advance = self.fonts.width(rp["font"], rp["b"], rp["i"], token) * size
                        if token.isspace():
                            pending_space += advance
                            continue
                        if line_width and line_width + pending_space + advance > limit():
                            new_line()
                        line_width += pending_space + advance
                        pending_space = 0.0
                        line_top = max(line_top, natural)
                elif tag == w("tab"):
                    pending_space += 36.0
                elif tag in (w("br"), w("cr")):
                    line_top = max(line_top, natural)
                    new_line()
                elif tag == w("footnoteReference"):
                    line_width += 0.5 * size
                    notes += self._note_height(child.get(w("id")))
                elif tag == w("drawing"):
                    extent = next(child.iter(f"{{{WP_NS}}}extent"), None)
                    if extent is not None:
                        line_top = max(line_top, int(extent.get("cy")) / 12700)
                        line_width += int(extent.get("cx")) / 12700
        if line_width or not lines:
            new_line()
        border = props.get("border", 0.0)
        return Block(
            lines,
            before=props.get("before", 0) / 20 + border / 2,
            after=props.get("after", 0) / 20 + border / 2,
            keep_next=props.get("keepNext", False),
            keep_lines=props.get("keepLines", False),
            break_before=props.get("pageBreakBefore", False),
            widow_control=props.get("widowControl", False),
            bookmarks=tuple(b.get(w("name")) for b in p.iter(w("bookmarkStart"))),
            notes=notes,
        )

    def _line_factor(self, rp: dict) -> float:
        return self.fonts.line(rp["font"], rp["b"], rp["i"])

    @staticmethod
    def _line_height(props: dict, natural: float) -> float:
        line, rule = props.get("line", 240), props.get("lineRule", "auto")
        if rule == "exact":
            return line / 20
        if rule == "atLeast":
            return max(line / 20, natural)
        return natural * line / 240

    def _note_height(self, ident) -> float:
        note = self.notes.get(ident)
        if note is None:
            return 0.0
        total = 0.0
        for p in note.iter(w("p")):
            block = self.paragraph(p)
            total += block.before + block.height + block.after
        return total

    def table(self, tbl) -> list[Block]:
        """One block per row: the tallest cell, kept whole."""
        grid = [twips(col.get(w("w"))) for col in tbl.iterfind(f"{w('tblGrid')}/{w('gridCol')}")]
        rows = []
        for tr in tbl.iterfind(w("tr")):
            height = 0.0
            bookmarks: list[str] = []
            for index, tc in enumerate(tr.iterfind(w("tc"))):
                cell_width = (grid[index] if index < len(grid) else self.text_width / max(len(grid), 1)) - 8.5
                cell = 0.0
                for p in tc.iterfind(w("p")):
                    block = self.paragraph(p, cell_width)
                    cell += block.before + block.height + block.after
                    bookmarks.extend(block.bookmarks)
                height = max(height, cell + 3)
            rows.append(Block([height], keep_lines=True, bookmarks=tuple(bookmarks)))
        return rows

    # -- pagination --

    def pages(self, elements) -> dict[str, int]:
        blocks: list[Block] = []
        for el in elements:
            if el.tag == w("p"):
                blocks.append(self.paragraph(el))
            elif el.tag == w("tbl"):
                blocks.extend(self.table(el))
        found: dict[str, int] = {}
        page, y, room = 1, 0.0, self.text_height
        for index, block in enumerate(blocks):
            if block.break_before and y > 0:
                page, y, room = page + 1, 0.0, self.text_height
            # Keep with next: the paragraph (and those chained to it) with the next one's first lines.
            need = block.before + (block.height if (block.keep_lines or block.keep_next) else block.lines[0])
            chain = index
            while blocks[chain].keep_next and chain + 1 < len(blocks):
                nxt = blocks[chain + 1]
                need += blocks[chain].after + nxt.before + sum(nxt.lines[: 2 if nxt.widow_control else 1])
                if not nxt.keep_next:
                    break
                need += nxt.height - sum(nxt.lines[:2])
                chain += 1
            if block.keep_lines and not block.keep_next:
                need = block.before + block.height
            if y > 0 and y + need > room + 0.01:
                page, y, room = page + 1, 0.0, self.text_height
            y += block.before
            lines = block.lines
            first_page = None
            while lines:
                fit, used = 0, y
                for height in lines:
                    if used + height > room + 0.01:
                        break
                    used += height
                    fit += 1
                if fit < len(lines) and block.widow_control and len(lines) > 1:
                    if fit < 2:
                        fit = 0
                    elif len(lines) - fit < 2:
                        fit = len(lines) - 2 if len(lines) - 2 >= 2 else 0
                if fit == 0 and y <= block.before + 0.01:
                    fit = 1  # at the top of a page and still too tall: set a line anyway
                if fit and first_page is None:
                    first_page = page
                y += sum(lines[:fit])
                lines = lines[fit:]
                if lines:
                    page, y, room = page + 1, 0.0, self.text_height
            if block.notes:
                room -= block.notes + 12
            for name in block.bookmarks:
                found.setdefault(name, first_page or page)
            y += block.after
            if y >= room:
                page, y, room = page + 1, 0.0, self.text_height
        return found


def estimate_pages(elements, document, sectpr, templates, footnotes) -> dict[str, int]:
    """{bookmark name: estimated page number} for the bookmarks in the body `elements` (pages counted
    from 1 at the first element, as the text's section numbers them)."""
    return Layout(document, sectpr, templates, footnotes).pages(elements)

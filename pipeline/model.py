"""The document model every edition is rendered from.

A small, closed set of frozen dataclasses (after pandoc's AST): a `Document` holds metadata and
chapters; chapters hold blocks and sections; blocks hold inlines. Every node that comes from the
source carries a `Loc` so any later check can name `path:line`. Each node class has a `kind` string
that templates and renderers dispatch on (a table of kind -> function, not isinstance chains).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import ClassVar

from . import ids
from .walk import query

# Words of a chapter's title kept in its running head (Section.running_head).
RUNNING_HEAD_WORDS = 6


@dataclass(frozen=True, order=True)
class Loc:
    """A place in the source: a path relative to the source folder's parent view, and a 1-based line."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


# --- inlines ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    kind: ClassVar[str] = "text"
    text: str


@dataclass(frozen=True)
class Strong:
    kind: ClassVar[str] = "strong"
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Emph:
    kind: ClassVar[str] = "emph"
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class LeadIn:
    """The bold sentence that opens a paragraph ("Protect personal information rights.").

    Written as `**…**` at the start of a paragraph in the source (after an optional "——"); kept apart
    from other bold text so the DOCX can give it a character style and the web a class.
    """

    kind: ClassVar[str] = "lead_in"
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Code:
    kind: ClassVar[str] = "code"
    text: str


@dataclass(frozen=True)
class Link:
    """A link; `target` is a URL or `#id` of a heading, figure or table of this document."""

    kind: ClassVar[str] = "link"
    target: str
    children: tuple[Inline, ...]
    title: str = ""

    @property
    def internal(self) -> bool:
        return self.target.startswith("#")


@dataclass(frozen=True)
class Image:
    """An inline image; `src` is relative to the source folder and known to exist inside it."""

    kind: ClassVar[str] = "image"
    src: str
    alt: str
    title: str = ""


@dataclass(frozen=True)
class LineBreak:
    kind: ClassVar[str] = "line_break"


@dataclass(frozen=True)
class FootnoteRef:
    """A reference to footnote `number` (1-based, counted through the whole document)."""

    kind: ClassVar[str] = "footnote_ref"
    number: int
    id: str  # "fn-3": the footnote's anchor
    ref_id: str = ""  # this reference's own anchor, unique: "fnref-3", a second one "fnref-3-2"


Inline = Text | Strong | Emph | LeadIn | Code | Link | Image | LineBreak | FootnoteRef


# --- blocks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Para:
    """A paragraph. A body paragraph (one standing directly in a section, not in a quote, a list or a
    note) is citable: `number` is its place in its chapter and section as shown ("II.3.4") and `id` the
    anchor made from it ("p-ii-3-4"), the same in every edition (pipeline/passages.py); both are empty
    for other paragraphs and until the document is numbered."""

    kind: ClassVar[str] = "para"
    inlines: tuple[Inline, ...]
    loc: Loc
    id: str = ""
    number: str = ""

    @property
    def lead_in(self) -> LeadIn | None:
        for node in self.inlines[:2]:
            if isinstance(node, LeadIn):
                return node
        return None


@dataclass(frozen=True)
class BlockQuote:
    kind: ClassVar[str] = "block_quote"
    blocks: tuple[Block, ...]
    loc: Loc


@dataclass(frozen=True)
class ListBlock:
    kind: ClassVar[str] = "list"
    ordered: bool
    start: int
    items: tuple[tuple[Block, ...], ...]
    loc: Loc
    tight: bool = True


@dataclass(frozen=True)
class CodeBlock:
    kind: ClassVar[str] = "code_block"
    text: str
    language: str
    loc: Loc


@dataclass(frozen=True)
class Figure:
    """An image alone in its paragraph; the caption is its title, else its alt text."""

    kind: ClassVar[str] = "figure"
    src: str
    alt: str
    caption: tuple[Inline, ...]
    id: str
    number: int
    loc: Loc


@dataclass(frozen=True)
class TableCell:
    kind: ClassVar[str] = "table_cell"
    inlines: tuple[Inline, ...]
    align: str  # "", "left", "center", "right"


@dataclass(frozen=True)
class Table:
    kind: ClassVar[str] = "table"
    head: tuple[tuple[TableCell, ...], ...]
    body: tuple[tuple[TableCell, ...], ...]
    caption: tuple[Inline, ...]
    id: str
    number: int
    loc: Loc


@dataclass(frozen=True)
class ThematicBreak:
    kind: ClassVar[str] = "thematic_break"
    loc: Loc


Block = Para | BlockQuote | ListBlock | CodeBlock | Figure | Table | ThematicBreak


# --- structure -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Footnote:
    kind: ClassVar[str] = "footnote"
    number: int
    id: str  # "fn-3"
    blocks: tuple[Block, ...]
    loc: Loc
    refs: tuple[str, ...] = ()  # the ref_id of every reference to it (its back-links): the text's, then the notes'


@dataclass(frozen=True)
class Section:
    """A heading and what follows it up to the next heading of the same or a higher level.

    Level 1 is a chapter (one source file), 2 a section, 3 a subsection. `label` is the generated
    number ("II", "(3)"), empty when unnumbered; `title` never contains it.
    """

    kind: ClassVar[str] = "section"
    level: int
    title: tuple[Inline, ...]
    id: str
    label: str
    blocks: tuple[Block, ...]
    sections: tuple[Section, ...]
    loc: Loc
    footnotes: tuple[Footnote, ...] = ()  # chapters only: the notes referenced in the chapter
    numbered: bool = True  # False for the preface, the conclusion, {.unnumbered} headings

    @property
    def plain_title(self) -> str:
        return plain_text(self.title)

    @property
    def label_gap(self) -> str:
        """What stands between the label and the title: a space ("II. Title"), or nothing after a
        full-width label ("一、标题", "（一）标题"), whose punctuation carries its own space in CJK type."""
        if self.label and unicodedata.east_asian_width(self.label[-1]) in ("W", "F"):
            return ""
        return " "

    @property
    def heading_text(self) -> str:
        """The heading as shown and read out: its label and its title ("II. Title"), or the title."""
        return self.label_gap.join(filter(None, (self.label, self.plain_title)))

    @property
    def running_head(self) -> str:
        """The heading cut short for a running head: the label and the title's first
        RUNNING_HEAD_WORDS words, then an ellipsis. A running head reminds the reader where they
        are; a whole sentence of a title in the page head reads as text (a checker such as outloud
        takes an artifact line of eight words and more for prose) and a cut made by the line's end
        falls mid-word. A title without spaces (Chinese) is kept whole; the page head clips it."""
        words = self.plain_title.split()
        title = self.plain_title if len(words) <= RUNNING_HEAD_WORDS else " ".join(words[:RUNNING_HEAD_WORDS]) + "…"
        return self.label_gap.join(filter(None, (self.label, title)))

    @property
    def heading_id(self) -> str:
        """The id of the heading element itself (the section's element has `id`)."""
        return ids.heading_id(self.id)

    def walk(self):
        """This section and all below it, in reading order."""
        yield self
        for sub in self.sections:
            yield from sub.walk()


@dataclass(frozen=True)
class Numbering:
    chapters: str = "upper-roman"  # numbering.STYLES: upper-roman, arabic, cjk-ideographic, none, …
    sections: str = "arabic"
    subsections: str = "none"
    # The label around the counter, "{}" where it goes (numbering.FORMATS): "II.", "(3)"; "二、", "（三）".
    chapter_format: str = "{}."
    section_format: str = "({})"
    subsection_format: str = "{}."


@dataclass(frozen=True)
class Metadata:
    title: str
    language: str
    identifier: str
    slug: str
    date: str  # the paper's own date as printed: "March 2023"
    released: dt.date  # the release date; every edition's timestamps come from it
    subtitle: str = ""
    issuer: str = ""
    country: str = ""
    publisher: str = ""
    place: str = ""
    rights: str = ""
    description: str = ""
    keywords: tuple[str, ...] = ()
    provenance: str = ""
    contents_title: str = "Contents"
    numbering: Numbering | None = None  # None: the theme's numbering (by default I., (1))
    theme: tuple[tuple[str, object], ...] = ()  # per-paper theme overrides, as sorted pairs
    modified: dt.datetime | None = None  # set from SOURCE_DATE_EPOCH by the builder, if given

    @property
    def creator(self) -> str:
        return self.issuer or self.publisher

    @property
    def released_iso(self) -> str:
        return self.released.isoformat()

    @property
    def timestamp(self) -> dt.datetime:
        """The time every edition stamps its files with: the release date at midnight UTC, unless
        SOURCE_DATE_EPOCH overrides it. Never the clock, so builds are reproducible."""
        if self.modified is not None:
            return self.modified
        return dt.datetime(self.released.year, self.released.month, self.released.day, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Document:
    kind: ClassVar[str] = "document"
    meta: Metadata
    chapters: tuple[Section, ...]
    source_dir: str = ""  # absolute path of the source folder, for images
    # Links to paragraphs' anchors ("#p-ii-3-4") and where they stand: a paragraph's anchor comes with
    # the numbering (passages.py), so these are checked once the document is numbered.
    para_links: tuple[tuple[str, Loc], ...] = ()

    def sections(self):
        """Every section of every level, in reading order."""
        for chapter in self.chapters:
            yield from chapter.walk()

    def paragraphs(self):
        """Every paragraph in reading order (including those in quotes, lists and notes)."""
        return query(self, "para")


def plain_text(inlines) -> str:
    """The text of inlines without markup, as a reader would read it aloud."""
    out: list[str] = []
    for node in inlines:
        if isinstance(node, (Text, Code)):
            out.append(node.text)
        elif isinstance(node, (Strong, Emph, LeadIn, Link)):
            out.append(plain_text(node.children))
        elif isinstance(node, Image):
            out.append(node.alt)
        elif isinstance(node, LineBreak):
            out.append(" ")
    return "".join(out)

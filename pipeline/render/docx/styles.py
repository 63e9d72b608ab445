"""The style map: every style of the reference document, by the one key the edition and the reference
generator both use, and how a reference document's own style ids are found from it.

A style's key is the styleId the generated reference document gives it ("Heading1"); its name is
what the edition finds it by in any reference document (Word's built-in name where Word has one:
"heading 1", "toc 1", "caption"..., shown localised in Word's style gallery). Names, not ids: Word
in another language saves localised ids ("berschrift1") but keeps the name, and LibreOffice saves
ids of its own ("Contents1").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...errors import Diagnostic, SourceError
from .ooxml import w


@dataclass(frozen=True)
class Style:
    key: str  # the styleId in the generated reference document; the edition's name for the style
    kind: str  # paragraph, character, table or numbering (w:type)
    name: str
    written: bool = True  # False: one of Word's defaults, which every document has and the edition never writes


def _paragraphs(*pairs: tuple[str, str]) -> tuple[Style, ...]:
    return tuple(Style(key, "paragraph", name) for key, name in pairs)


STYLES = (
    *_paragraphs(
        ("Normal", "Normal"),
        ("Title", "Title"),
        ("Subtitle", "Subtitle"),
        ("Author", "Author"),
        ("Date", "Date"),
        ("Imprint", "Imprint"),
        ("TOCHeading", "TOC Heading"),
        ("TOC1", "toc 1"),
        ("TOC2", "toc 2"),
        ("TOC3", "toc 3"),
        ("Heading1", "heading 1"),
        ("Heading2", "heading 2"),
        ("Heading3", "heading 3"),
        ("FirstParagraph", "First Paragraph"),
        ("BodyText", "Body Text"),
        ("BlockText", "Block Text"),
        ("ListBullet", "List Bullet"),
        ("ListBullet2", "List Bullet 2"),
        ("ListBullet3", "List Bullet 3"),
        ("ListNumber", "List Number"),
        ("ListNumber2", "List Number 2"),
        ("ListNumber3", "List Number 3"),
        ("ListContinue", "List Continue"),
        ("ListContinue2", "List Continue 2"),
        ("ListContinue3", "List Continue 3"),
        ("SourceCode", "Source Code"),
        ("ThematicBreak", "Thematic Break"),
        ("Figure", "Figure"),
        ("Caption", "caption"),
        ("TableCaption", "Table Caption"),
        ("Compact", "Compact"),
        ("FootnoteText", "footnote text"),
        ("Header", "header"),
        ("Footer", "footer"),
    ),
    Style("LeadIn", "character", "Lead-in"),
    Style("Strong", "character", "Strong"),
    Style("Emphasis", "character", "Emphasis"),
    Style("Hyperlink", "character", "Hyperlink"),
    Style("VerbatimChar", "character", "Verbatim Char"),
    Style("FootnoteReference", "character", "footnote reference"),
    Style("Table", "table", "Table"),
    Style("DefaultParagraphFont", "character", "Default Paragraph Font", written=False),
    Style("TableNormal", "table", "Normal Table", written=False),
    Style("NoList", "numbering", "No List", written=False),
)
BY_KEY = {style.key: style for style in STYLES}
WRITTEN = tuple(style for style in STYLES if style.written)


REMEDY = "add them in Word or LibreOffice, or make a new one with `pipeline reference-docx`"


def style_ids(styles_element, reference: Path | str, remedy: str = REMEDY) -> dict[str, str]:
    """The styleId in this reference document of every style the edition writes, by key; all missing
    ones reported at once, as problems of `reference` (which says what to do: `remedy`)."""
    exact: dict[tuple[str, str], str] = {}
    folded: dict[tuple[str, str], str] = {}
    for el in styles_element.iterfind(w("style")):
        name = el.find(w("name"))
        if name is not None:
            kind, value, sid = el.get(w("type")), name.get(w("val")), el.get(w("styleId"))
            exact.setdefault((kind, value), sid)
            folded.setdefault((kind, value.lower()), sid)
    ids, missing = {}, []
    for style in WRITTEN:
        # The name as Word writes it first: LibreOffice keeps its own "Caption" beside Word's "caption".
        sid = exact.get((style.kind, style.name)) or folded.get((style.kind, style.name.lower()))
        if sid is None:
            missing.append(f"{style.kind} style '{style.name}'")
        else:
            ids[style.key] = sid
    if missing:
        raise SourceError(
            [
                Diagnostic(
                    str(reference),
                    1,
                    f"the reference document lacks {', '.join(missing)}; {remedy}",
                )
            ]
        )
    return ids

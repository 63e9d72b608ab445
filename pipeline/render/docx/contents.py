"""The front matter's text: the title page with the imprint, and the contents, a real TOC field whose
result is already written (every heading to level 3, hyperlinked to its bookmark, with the page
`layout` estimates in a PAGEREF field), so it is complete before anyone updates fields; or, where no
estimate can be trusted, without pages and marked to be updated."""

from __future__ import annotations

from lxml import etree

from ...model import Document, Metadata
from .ooxml import add, w
from .wml import Pieces

TOC_FIELD = ' TOC \\o "1-3" \\h \\z \\u '


def front_matter(pieces: Pieces, body, meta: Metadata):
    """The title page and the contents heading; returns the heading, after which `contents` goes."""
    pieces.text(pieces.para(body, "Title"), meta.title)
    if meta.subtitle:
        pieces.text(pieces.para(body, "Subtitle"), meta.subtitle)
    for line in (meta.issuer, meta.country):
        if line:
            pieces.text(pieces.para(body, "Author"), line)
    pieces.text(pieces.para(body, "Date"), f"{meta.place}, {meta.date}" if meta.place else meta.date)
    imprint = []
    if meta.publisher:
        imprint.append(f"Published by {meta.publisher}.")
    if meta.rights:
        imprint.append(meta.rights)
    if meta.provenance:
        imprint.append(f"Source: {meta.provenance}")
    imprint.append(f"Identifier: {meta.identifier}")
    for line in imprint:
        pieces.text(pieces.para(body, "Imprint"), line)
    heading = pieces.para(body, "TOCHeading")
    pieces.text(heading, meta.contents_title)
    return heading


def contents(pieces: Pieces, heading, doc: Document, bookmarks: dict[str, str]) -> list:
    """The TOC field after the contents heading, its result written out: every heading to level 3,
    linked to its bookmark; the page numbers come later (`number_entries`, `ask_for_update`).
    Returns the entries' paragraphs (one, empty, for a paper without headings)."""
    entries = [s for s in doc.sections() if s.level <= 3]
    paragraphs = []
    for i, section in enumerate(entries):
        p = pieces.para(None, f"TOC{section.level}")
        if i == 0:
            pieces.field_start(p, TOC_FIELD)
        link = etree.SubElement(p, w("hyperlink"), {w("anchor"): bookmarks[section.id], w("history"): "1"})
        pieces.text(link, section.heading_text)
        paragraphs.append(p)
    if not paragraphs:  # a paper without headings: the field is there, empty, for Word to fill
        p = pieces.para(None, "TOC1")
        pieces.field_start(p, TOC_FIELD)
        paragraphs.append(p)
    pieces.field_end(paragraphs[-1])
    anchor = heading
    for p in paragraphs:
        anchor.addnext(p)
        anchor = p
    return paragraphs


def number_entries(pieces: Pieces, paragraphs: list, pages: list[str]) -> None:
    """Each entry's page after a tab (the style's dotted leader), in a PAGEREF field to its heading's
    bookmark, as Word writes a TOC field's result: updating regenerates the same."""
    for p, page in zip(paragraphs, pages, strict=True):
        link = p.find(w("hyperlink"))
        etree.SubElement(etree.SubElement(link, w("r")), w("tab"))
        pieces.field(link, f" PAGEREF {link.get(w('anchor'))} \\h ", page)


def ask_for_update(paragraphs: list, settings) -> None:
    """No page number can be trusted: the entries stay without them, and the field is marked dirty
    and the document to update its fields on opening, so Word fills them in (after asking), as
    LibreOffice's Tools > Update > Update All does; no number is shown that may be wrong."""
    begin = next(paragraphs[0].iter(w("fldChar")))
    begin.set(w("dirty"), "true")
    if settings.find(w("updateFields")) is None:
        add(settings, "updateFields", {w("val"): "true"})

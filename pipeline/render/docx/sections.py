"""The document's two sections: the front matter (the title page without furniture, the contents
with roman page numbers) and the text (the paper's title as running head, arabic page numbers from 1).
"""

from __future__ import annotations

import copy

from .ooxml import add, insert_child, w
from .wml import Pieces


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
    """Page numbers of a section: in `fmt`, from 1."""
    for old in sectpr.findall(w("pgNumType")):
        sectpr.remove(old)
    add(sectpr, "pgNumType", {w("fmt"): fmt, w("start"): "1"})


def two_sections(pieces: Pieces, document, last_toc, final_sectpr, running_head: str) -> None:
    """Close the front matter after the contents' last paragraph; number and furnish both sections.
    `final_sectpr`, the text's, already closes the body."""
    # The front matter's section ends in a paragraph of its own: LibreOffice loses the section's
    # footer when the break sits in the paragraph that ends the TOC field.
    front = copy.deepcopy(final_sectpr)
    breaker = pieces.para(None, "Normal")
    last_toc.addnext(breaker)
    insert_child(breaker.find(w("pPr")), front)
    set_page_numbers(front, "lowerRoman")
    set_page_numbers(final_sectpr, "decimal")
    front_section, text_section = document.sections
    front_section.different_first_page_header_footer = True
    for story in (front_section.first_page_header, front_section.first_page_footer, front_section.header):
        story.is_linked_to_previous = False
        _restyle_story(pieces, story, "Normal")  # empty: no running head on the title and contents
    # Each section has its own footer, though the same: LibreOffice does not carry a footer over
    # into a section after one with a different first page.
    for section in (front_section, text_section):
        section.footer.is_linked_to_previous = False
        pieces.field(_restyle_story(pieces, section.footer, "Footer"), " PAGE ", "1")
    text_section.header.is_linked_to_previous = False
    pieces.text(_restyle_story(pieces, text_section.header, "Header"), running_head)


def _restyle_story(pieces: Pieces, story, style: str):
    """A header or footer emptied to one paragraph of the given style; returns that paragraph."""
    element = story._element
    for old in list(element):
        element.remove(old)
    return pieces.para(element, style)

"""No word is broken across a page turn.

A hyphenated word split between the last line of a page and the next page is a classic fault of
typesetting (the reader turns the page mid-word), and it spoils the text a reader copies or a tool
extracts: the page number or the footnotes land inside the word. CSS has `hyphenate-limit-last: page`
for it, which WeasyPrint lacks, so it is done here: after layout, the word that ends a page with a
hyphen (WeasyPrint's or the source's own, as in "e-commerce") is kept whole (`white-space: nowrap`)
and the document laid out again. A kept word may move the text and make a new page end with a
hyphen, so this repeats (a few times at most; usually once or twice).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from weasyprint.formatting_structure import boxes

HYPHENS = "-\u2010\u2011\u00ad"
KEEP_STYLE = "white-space: nowrap; hyphens: manual"
MAX_PASSES = 4


def render_without_broken_page_ends(html, **options):
    """Lay out `html` (a weasyprint.HTML) so that no page ends in a hyphen-broken word."""
    document = html.render(**options)
    for _ in range(MAX_PASSES):
        changed = False
        for element, text in page_end_breaks(document):
            changed |= keep_word(element, text)
        if not changed:
            break
        document = html.render(**options)
    return document


def page_end_breaks(document) -> list:
    """(element, text) of each page's last line of text when that line ends in a hyphen."""
    found = []
    for page in document.pages:
        root = next((c for c in page._page_box.children if not isinstance(c, boxes.MarginBox)), None)
        line = _last_line(root) if root is not None else None
        text_box = _last_text(line) if line is not None else None
        if text_box is not None and text_box.text.rstrip()[-1:] in HYPHENS and text_box.element is not None:
            found.append((text_box.element, text_box.text.rstrip()))
    return found


def _last_line(box):
    """The last line box in normal flow under `box` (not floats, footnotes or absolute boxes)."""
    if isinstance(box, boxes.LineBox):
        return box
    if not isinstance(box, boxes.ParentBox):
        return None
    for child in reversed(box.children):
        if not child.is_in_normal_flow() and not isinstance(child, boxes.LineBox):
            continue
        line = _last_line(child)
        if line is not None:
            return line
    return None


def _last_text(box):
    if isinstance(box, boxes.TextBox):
        return box
    if isinstance(box, boxes.ParentBox):
        for child in reversed(box.children):
            found = _last_text(child)
            if found is not None:
                return found
    return None


def keep_word(element, line_text: str) -> bool:
    """Wrap the word broken after `line_text` (the text box's text, ending with the hyphen drawn) in a
    span that keeps it whole. False if it cannot be found (then it is left as it is)."""
    # WeasyPrint draws U+2010 where it hyphenates; a "-" is the source's own ("e-commerce").
    before = line_text[:-1] if line_text.endswith("\u2010") else line_text
    words = before.split()
    if not words:
        return False
    # The line's text as a pattern over the source's text (which may have other whitespace).
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words[-6:]) + r"\S*")
    for holder, attribute in _text_slots(element):
        text = getattr(holder, attribute) or ""
        matches = list(pattern.finditer(text))
        if not matches:
            continue
        match = matches[-1]  # six words of context rarely occur twice in one paragraph
        start = match.start() + match.group(0).rfind(words[-1])
        end = match.end()
        span = ET.Element(_same_namespace(element.tag, "span"), {"style": KEEP_STYLE})
        span.text = text[start:end]
        span.tail = text[end:]
        setattr(holder, attribute, text[:start])
        if attribute == "text":
            element.insert(0, span)
        else:
            parent_children = list(element)
            element.insert(parent_children.index(holder) + 1, span)
        return True
    return False


def _text_slots(element):
    """Where an element's own text lives: its .text, then each child's .tail."""
    yield element, "text"
    for child in element:
        yield child, "tail"


def _same_namespace(tag: str, name: str) -> str:
    return tag[: tag.index("}") + 1] + name if tag.startswith("{") else name

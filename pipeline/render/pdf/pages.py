"""No word is broken across a page turn.

A hyphenated word split between the last line of a page and the next page is a classic fault of
typesetting (the reader turns the page mid-word), and it spoils the text a reader copies or a tool
extracts: the page number or the footnotes land inside the word. CSS has `hyphenate-limit-last: page`
for it, which WeasyPrint lacks, so it is done here: the word that ends a page with a hyphen
(WeasyPrint's or the source's own, as in "e-commerce") is kept whole (`white-space: nowrap`) and the
page laid out again.

Fast path (`KeepWholeInLayout`): WeasyPrint lays out a document page by page (`remake_page`, which
it also calls again when a page-based counter changes, as for `target-counter()` in our contents).
We wrap that function: when a page comes out ending in a broken word, the word's text box is split
so the word is a box of its own that cannot break, and the same page is made again from the same
state. The pages after it are then laid out once, from the corrected page. A broken page end costs
one page of layout instead of a second layout of the whole book (at 10x the paper's length: 30 such
pages, 17.7 s instead of 29 s).

These are WeasyPrint internals, so the hook checks what it touches; if anything is not as expected,
it stands aside and the slow path runs: the whole document is laid out again with the word wrapped
in a `<span>` in the HTML tree, until no page ends in a broken word (a few passes at most). A test
holds the two paths to the same pages.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

# WeasyPrint internals (pinned in pyproject.toml to the release these were written for). Guarded, so
# that a WeasyPrint that moved them still makes a PDF: without `remake_page` the slow path runs; without
# the box classes, which both paths read, the PDF is laid out as it is, without the page-end fix.
try:
    from weasyprint.formatting_structure import boxes
except ImportError:
    boxes = None
try:
    from weasyprint.layout import page as wp_page
except ImportError:
    wp_page = None

HYPHENS = "-\u2010\u2011\u00ad"
KEEP_STYLE = "white-space: nowrap; hyphens: manual"
MAX_PASSES = 4
# The exceptions a changed WeasyPrint internal would raise in the hook (then the slow path runs).
# MAX_PASSES bounds both paths: the times one page is made again, the times the whole is laid out.
_INTERNALS_CHANGED = (AttributeError, KeyError, IndexError, TypeError, ValueError)


def render_without_broken_page_ends(html, **options):
    """Lay out `html` (a weasyprint.HTML) so that no page ends in a hyphen-broken word."""
    if boxes is None:  # see the imports
        return html.render(**options)
    if KeepWholeInLayout.available():
        hook = KeepWholeInLayout()
        with hook:
            document = html.render(**options)
        if not hook.failed:
            return document
    return render_again_until_whole(html, **options)


# --- fast path: inside WeasyPrint's page loop --------------------------------------------------


class KeepWholeInLayout:
    """While active, WeasyPrint's `remake_page` runs through this object."""

    def __init__(self) -> None:
        self.failed = False  # WeasyPrint is not as expected: the caller lays out the slow way
        self.kept: list[str] = []  # the words kept whole, as the lines that broke them ended

    @staticmethod
    def available() -> bool:
        return wp_page is not None and callable(getattr(wp_page, "remake_page", None))

    def __enter__(self):
        self.original = wp_page.remake_page
        wp_page.remake_page = self.remake_page
        return self

    def __exit__(self, *exc) -> None:
        wp_page.remake_page = self.original

    def remake_page(self, index, context, root_box, html):
        """Make the page; while it ends in a broken word, keep the word whole and make it again (from
        the same state: laying out a page consumes footnotes and running elements)."""
        saved = None if self.failed else self._save(context)
        page, resume_at = self.original(index, context, root_box, html)
        for _ in range(MAX_PASSES):
            if self.failed:
                break
            try:
                found = _broken_end(page.children[0])
                if not found or not _keep_in_box_tree(root_box, *found):
                    break
                self.kept.append(found[1])
                self._restore(context, saved, index)
            except _INTERNALS_CHANGED:
                self.failed = True
                break
            page, resume_at = self.original(index, context, root_box, html)
        return page, resume_at

    def _save(self, context):
        try:
            return (
                list(context.footnotes),
                list(context.reported_footnotes),
                dict(context.broken_out_of_flow),
                {
                    name: {page: list(found) for page, found in pages.items()}
                    for name, pages in context.running_elements.items()
                },
                list(context.rendered_notes),
            )
        except _INTERNALS_CHANGED:
            self.failed = True
            return None

    @staticmethod
    def _restore(context, saved, index) -> None:
        footnotes, reported, out_of_flow, running, rendered = saved
        context.footnotes[:] = footnotes
        context.reported_footnotes = list(reported)
        context.broken_out_of_flow = dict(out_of_flow)
        context.running_elements.clear()
        for name, pages in running.items():
            for page, found in pages.items():
                context.running_elements[name][page] = list(found)
        context.rendered_notes[:] = rendered
        # as WeasyPrint's make_all_pages does before it (re)makes a page
        remake_state = context.page_maker[index][-1]
        remake_state.update(content_changed=False, pages_wanted=False, anchors=[], content_lookups=[])


def _keep_in_box_tree(root_box, element, line_text: str) -> bool:
    """Split the text box of `element` that holds the broken word into before / word / after, the
    word's box styled `nowrap` (so it can't break). False if the word is not found."""
    for parent, position, box in _text_boxes(root_box, element):
        span = _word_span(box.text, line_text)
        if span is None:
            continue
        start, end = span
        style = box.style.copy()
        style["white_space"] = "nowrap"
        style["hyphens"] = "manual"
        word = box.copy_with_text(box.text[start:end])
        word.style = style
        pieces = [box.copy_with_text(box.text[:start])] if start else []
        pieces.append(word)
        if end < len(box.text):
            pieces.append(box.copy_with_text(box.text[end:]))
        children = list(parent.children)
        children[position : position + 1] = pieces
        parent.children = children
        return True
    return False


def _text_boxes(box, element):
    """(parent, index, text box) for each text box of `element` in the tree under `box`."""
    for position, child in enumerate(getattr(box, "children", ())):
        if isinstance(child, boxes.TextBox):
            if child.element is element:
                yield box, position, child
        elif isinstance(child, boxes.ParentBox):
            yield from _text_boxes(child, element)


# --- slow path: lay out the whole document again -----------------------------------------------


def render_again_until_whole(html, **options):
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
        end = _broken_end(root) if root is not None else None
        if end:
            found.append(end)
    return found


def keep_word(element, line_text: str) -> bool:
    """Wrap the word broken after `line_text` (the text box's text, ending with the hyphen drawn) in a
    span that keeps it whole. False if it cannot be found (then it is left as it is)."""
    for holder, attribute in _text_slots(element):
        text = getattr(holder, attribute) or ""
        span = _word_span(text, line_text)
        if span is None:
            continue
        start, end = span
        span_element = ET.Element(_same_namespace(element.tag, "span"), {"style": KEEP_STYLE})
        span_element.text = text[start:end]
        span_element.tail = text[end:]
        setattr(holder, attribute, text[:start])
        if attribute == "text":
            element.insert(0, span_element)
        else:
            parent_children = list(element)
            element.insert(parent_children.index(holder) + 1, span_element)
        return True
    return False


def _text_slots(element):
    """Where an element's own text lives: its .text, then each child's .tail."""
    yield element, "text"
    for child in element:
        yield child, "tail"


def _same_namespace(tag: str, name: str) -> str:
    return tag[: tag.index("}") + 1] + name if tag.startswith("{") else name


# --- shared: finding the broken word -----------------------------------------------------------


def _broken_end(root):
    """(element, text) of the last line of text under a page's root box if it ends in a hyphen."""
    line = _last_line(root)
    text_box = _last_text(line) if line is not None else None
    if text_box is not None and text_box.text.rstrip()[-1:] in HYPHENS and text_box.element is not None:
        return text_box.element, text_box.text.rstrip()
    return None


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


def _word_span(text: str, line_text: str) -> tuple[int, int] | None:
    """Where, in `text` (the source's text of an element or box), the word lies that the line
    `line_text` broke: from its start to the next whitespace. None if the line is not in `text`."""
    # WeasyPrint draws U+2010 where it hyphenates; a "-" is the source's own ("e-commerce").
    before = line_text[:-1] if line_text.endswith("\u2010") else line_text
    words = before.split()
    if not words:
        return None
    # The line's text as a pattern over the source's text (which may have other whitespace).
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words[-6:]) + r"\S*")
    matches = list(pattern.finditer(text))
    if not matches:
        return None
    match = matches[-1]  # six words of context rarely occur twice in one paragraph
    return match.start() + match.group(0).rfind(words[-1]), match.end()

"""Paragraph numbers in the outer margin (theme `paragraph_numbers`).

CSS places an element beside its paragraph, but no CSS that WeasyPrint knows tells a box on a verso
page from one on a recto: only the page boxes have `:left` and `:right`. print.css sets each number
in the left margin, right-aligned against the text, which is the outer margin of a verso page. Here,
after layout and before drawing, the numbers on recto pages move across the text into the right
margin, left-aligned at the same distance from it: each number then stands in the outer margin, where
a book's marginal numbers go, and never in the gutter. Moving a box changes no line and no page.
"""

from __future__ import annotations

CLASS = "para-number"  # partials/body.html `para_number`
GAP_PX = 4 * 96 / 25.4  # 4 mm between the text and its number, as print.css sets on the left


def to_outer_margin(document) -> int:
    """Move the numbers on recto pages to the right margin; how many moved."""
    from weasyprint.formatting_structure import boxes

    moved, seen = 0, set()
    for page in document.pages:
        page_box = page._page_box
        if page_box.page_type.side != "right":
            continue
        right = page_box.content_box_x() + page_box.width  # the text block's right edge
        for box in page_box.descendants(placeholders=True):
            box = getattr(box, "_box", box)  # an absolutely positioned box sits in a placeholder
            element = getattr(box, "element", None)
            if element is None or getattr(box, "element_tag", None) != "data" or id(box) in seen:
                continue
            if CLASS not in (element.get("class") or "").split():
                continue
            seen.add(id(box))
            texts = [b for b in box.descendants() if isinstance(b, boxes.TextBox)]
            if not texts:
                continue
            left = min(t.position_x for t in texts)
            box.translate(right + GAP_PX - left, 0)
            moved += 1
    return moved

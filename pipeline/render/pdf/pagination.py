"""Where each heading and block of the print HTML starts, after WeasyPrint's layout: the PDF's half of
the page map (pipeline/pagemap.py), in the model's terms (section id, block index)."""

from __future__ import annotations

from ...pagemap import HEADING

# The elements partials/body.html writes for the model's blocks, as children of a section.
BLOCK_TAGS = frozenset({"p", "blockquote", "ul", "ol", "pre", "figure", "table", "hr"})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def _tag(element) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rsplit("}", 1)[-1]


def page_starts(root, document) -> tuple[tuple[str, int, int], ...]:
    """(section id, block index or HEADING, page number) for every heading and block of every
    section[id], in reading order, with the page on which its first box is laid out."""
    keys: dict[int, tuple[str, int]] = {}
    order: list[tuple[str, int]] = []
    for section in root.iter():
        if _tag(section) != "section" or not section.get("id"):
            continue
        index = 0
        for child in section:
            tag = _tag(child)
            if tag in HEADING_TAGS:
                key = (section.get("id"), HEADING)
            elif tag in BLOCK_TAGS:
                key = (section.get("id"), index)
                index += 1
            else:
                continue
            keys[id(child)] = key
            order.append(key)
    found: dict[tuple[str, int], int] = {}
    for number, page in enumerate(document.pages, 1):
        todo = [page._page_box]
        while todo:
            box = todo.pop()
            element = getattr(box, "element", None)
            if element is not None:
                key = keys.get(id(element))
                if key is not None and key not in found:
                    found[key] = number
            todo.extend(getattr(box, "children", ()))
    return tuple((s, i, found[(s, i)]) for s, i in order if (s, i) in found)

"""One traversal of the document model for every edition and check (as pandoc's `Walk`): the children
of each kind of node are written down once, here, and everything that looks for nodes asks `walk` or
`query` instead of writing its own recursion.

Reading order: a section's heading, its blocks, its subsections, then (for a chapter) its notes, which
every edition prints at the chapter's end. A table's caption comes before its cells, a figure's caption
is its only child. The walk knows nodes by their `kind`, so it imports nothing of the model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator


def _inlines(node) -> tuple:
    return node.inlines


def _children(node) -> tuple:
    return node.children


def _table(node) -> tuple:
    return (*node.caption, *(cell for row in (*node.head, *node.body) for cell in row))


def _list(node) -> tuple:
    return tuple(block for item in node.items for block in item)


def _section(node) -> tuple:
    return (*node.title, *node.blocks, *node.sections, *node.footnotes)


def _none(node) -> tuple:
    return ()


CHILDREN: dict[str, Callable[[object], tuple]] = {
    "document": lambda doc: doc.chapters,
    "section": _section,
    "footnote": lambda note: note.blocks,
    "para": _inlines,
    "block_quote": lambda quote: quote.blocks,
    "list": _list,
    "code_block": _none,
    "figure": lambda figure: figure.caption,
    "table": _table,
    "table_cell": _inlines,
    "thematic_break": _none,
    "text": _none,
    "strong": _children,
    "emph": _children,
    "lead_in": _children,
    "code": _none,
    "link": _children,
    "image": _none,
    "line_break": _none,
    "footnote_ref": _none,
}


def children(node) -> tuple:
    """The nodes directly inside `node`, in reading order."""
    return CHILDREN[node.kind](node)


def walk(node) -> Iterator:
    """`node` and every node inside it, depth first, in reading order."""
    stack = [node]
    while stack:  # a loop, not recursion: no depth of nesting can exhaust the stack
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def located(node, loc=None) -> Iterator[tuple[object, object]]:
    """(node, loc) for `node` and everything inside it, where loc is the node's own source place or,
    for a node without one (an inline, a table cell), that of the nearest node around it that has one."""
    stack = [(node, loc)]
    while stack:
        current, around = stack.pop()
        here = getattr(current, "loc", None) or around
        yield current, here
        stack.extend((child, here) for child in reversed(children(current)))


def query(node, *kinds: str) -> Iterator:
    """Every node of the given kinds inside `node` (itself included), in reading order."""
    wanted = set(kinds)
    return (found for found in walk(node) if found.kind in wanted)

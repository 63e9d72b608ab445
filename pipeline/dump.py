"""A readable, stable text dump of the model (for golden-file tests and for looking)."""

from __future__ import annotations

from dataclasses import fields, is_dataclass

from .model import Document


def dump(doc: Document) -> str:
    lines: list[str] = []
    meta = doc.meta
    for f in fields(meta):
        lines.append(f"{f.name}: {getattr(meta, f.name)!r}")
    for chapter in doc.chapters:
        _node(chapter, 0, lines)
    return "\n".join(lines) + "\n"


def _node(node, depth: int, lines: list[str]) -> None:
    pad = "  " * depth
    if not is_dataclass(node):
        lines.append(f"{pad}{node!r}")
        return
    scalars, children = [], []
    for f in fields(node):
        value = getattr(node, f.name)
        if isinstance(value, tuple) and value and (is_dataclass(value[0]) or isinstance(value[0], tuple)):
            children.append((f.name, value))
        elif f.name == "loc":
            scalars.append(f"@{value}")
        elif value not in ((), "", None):
            scalars.append(f"{f.name}={value!r}")
    lines.append(f"{pad}{getattr(node, 'kind', type(node).__name__)} {' '.join(scalars)}".rstrip())
    for name, value in children:
        lines.append(f"{pad}  .{name}")
        for child in value:
            if isinstance(child, tuple):
                lines.append(f"{pad}    -")
                for grandchild in child:
                    _node(grandchild, depth + 3, lines)
            else:
                _node(child, depth + 2, lines)

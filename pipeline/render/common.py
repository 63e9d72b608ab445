"""Helpers several editions share (no edition-specific code here)."""

from __future__ import annotations

from markupsafe import Markup

from ..model import BlockQuote, Document, Figure, Image, ListBlock, Para, Table


def image_sources(doc: Document) -> list[str]:
    """Every image path (relative to the source folder) the document shows, once each, in order."""
    seen: dict[str, None] = {}

    def inlines(nodes):
        for node in nodes:
            if isinstance(node, Image):
                seen.setdefault(node.src)
            for child in getattr(node, "children", ()) or ():
                inlines((child,))

    def blocks(nodes):
        for block in nodes:
            if isinstance(block, Figure):
                seen.setdefault(block.src)
            elif isinstance(block, Para):
                inlines(block.inlines)
            elif isinstance(block, BlockQuote):
                blocks(block.blocks)
            elif isinstance(block, ListBlock):
                for item in block.items:
                    blocks(item)
            elif isinstance(block, Table):
                for row in (*block.head, *block.body):
                    for cell in row:
                        inlines(cell.inlines)

    for section in doc.sections():
        blocks(section.blocks)
        for note in section.footnotes:
            blocks(note.blocks)
    return list(seen)


MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}


def css_string(text) -> Markup:
    """Text as a double-quoted CSS string, safe inside a <style> element."""
    escaped = "".join(f"\\{ord(ch):x} " if ch in '"\\<>&\n\r\f' or ord(ch) < 32 else ch for ch in str(text))
    return Markup(f'"{escaped}"')

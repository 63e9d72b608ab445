"""The EPUB 3 edition, written with ebooklib from XHTML templates (one file per part)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ebooklib import epub

from ..model import Document
from . import Context
from .zipfix import normalize_zip

NAME = "epub"
LABEL = "EPUB"
MEDIA_TYPE = "application/epub+zip"


def outputs(meta) -> list[str]:
    return [f"{meta.slug}.epub"]


def _file_of(doc: Document) -> dict[str, str]:
    """Which XHTML file each id lives in, so '#id' links work across files."""
    where = {}
    for n, chapter in enumerate(doc.chapters, 1):
        name = f"part-{n:02d}.xhtml"
        for section in chapter.walk():
            where[section.id] = name
        for note in chapter.footnotes:
            where[note.id] = name
            where[f"fnref-{note.number}"] = name
    return where


def render(doc: Document, ctx: Context) -> dict[str, bytes]:
    meta = doc.meta
    where = _file_of(doc)

    def href(target: str) -> str:
        if target.startswith("#") and target[1:] in where:
            return f"{where[target[1:]]}{target}"
        return target

    book = epub.EpubBook()
    book.set_identifier(meta.identifier)
    book.set_title(meta.title)
    book.set_language(meta.language)
    book.add_author(meta.creator)
    css = epub.EpubItem(uid="style", file_name="style.css", media_type="text/css",
                        content=ctx.templates.find("epub/style.css").read_bytes())  # fmt: skip
    book.add_item(css)
    items = []
    for n, chapter in enumerate(doc.chapters, 1):
        xhtml = ctx.templates.render(
            "epub/chapter.xhtml", doc=doc, meta=meta, chapter=chapter, edition=NAME, heading_offset=0,
            href=href, asset=lambda src: f"images/{src}",
        )  # fmt: skip
        item = epub.EpubHtml(title=chapter.plain_title, file_name=f"part-{n:02d}.xhtml", lang=meta.language)
        item.content = xhtml.encode("utf-8")
        item.add_item(css)
        book.add_item(item)
        items.append(item)
    book.toc = [epub.Link(f"part-{n:02d}.xhtml", c.plain_title, c.id) for n, c in enumerate(doc.chapters, 1)]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *items]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "book.epub"
        epub.write_epub(str(path), book, {})
        data = path.read_bytes()
    return {outputs(meta)[0]: normalize_zip(data, meta.released, first=("mimetype",))}

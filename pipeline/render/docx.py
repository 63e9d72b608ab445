"""The DOCX edition: python-docx on a reference document whose styles a designer can edit."""

from __future__ import annotations

import datetime as dt
import io

import docx

from ..model import Document
from . import Context
from .zipfix import normalize_zip

NAME = "docx"
LABEL = "Word (DOCX)"
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def outputs(meta) -> list[str]:
    return [f"{meta.slug}.docx"]


def _add_inlines(paragraph, nodes, bold=False, italic=False) -> None:
    for node in nodes:
        kind = node.kind
        if kind in ("text", "code"):
            run = paragraph.add_run(node.text)
            run.bold, run.italic = bold or None, italic or None
        elif kind in ("strong", "lead_in"):
            _add_inlines(paragraph, node.children, True, italic)
        elif kind == "emph":
            _add_inlines(paragraph, node.children, bold, True)
        elif kind == "link":
            _add_inlines(paragraph, node.children, bold, italic)
        elif kind == "line_break":
            paragraph.add_run().add_break()
        elif kind == "footnote_ref":
            paragraph.add_run(f"[{node.number}]")


def _add_blocks(document, blocks) -> None:
    for block in blocks:
        if block.kind == "para":
            _add_inlines(document.add_paragraph(), block.inlines)
        elif block.kind == "block_quote":
            _add_blocks(document, block.blocks)
        elif block.kind == "list":
            for item in block.items:
                _add_blocks(document, item)


def _add_section(document, section) -> None:
    title = f"{section.label} {section.plain_title}".strip()
    document.add_heading(title, level=section.level)
    _add_blocks(document, section.blocks)
    for sub in section.sections:
        _add_section(document, sub)


def render(doc: Document, ctx: Context) -> dict[str, bytes]:
    meta = doc.meta
    document = docx.Document()
    document.add_heading(meta.title, level=0)
    for chapter in doc.chapters:
        _add_section(document, chapter)
    props = document.core_properties
    props.title = meta.title
    props.author = meta.creator
    props.language = meta.language
    props.comments = meta.description
    stamp = dt.datetime.combine(meta.released, dt.time())
    props.created = props.modified = stamp
    buffer = io.BytesIO()
    document.save(buffer)
    return {outputs(meta)[0]: normalize_zip(buffer.getvalue(), meta.released, first=("[Content_Types].xml",))}

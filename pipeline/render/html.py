"""The web edition: build/index.html and build/assets/ (a static site that works from file:// too)."""

from __future__ import annotations

from pathlib import Path

from ..model import Document
from . import Context
from .common import image_sources

NAME = "html"
LABEL = "Web"
STATIC = ["html/style.css"]  # template files copied to build/assets/ as they are


def outputs(meta) -> list[str]:
    return ["index.html", *(f"assets/{Path(s).name}" for s in STATIC)]


def render(doc: Document, ctx: Context) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for src in image_sources(doc):
        files[f"assets/images/{src}"] = (Path(doc.source_dir) / src).read_bytes()
    for static in STATIC:
        files[f"assets/{Path(static).name}"] = ctx.templates.find(static).read_bytes()
    page = ctx.templates.render(
        "html/index.html",
        doc=doc,
        meta=doc.meta,
        edition=NAME,
        heading_offset=1,
        href=lambda target: target,
        asset=lambda src: f"assets/images/{src}",
        downloads=ctx.downloads,
    )
    files["index.html"] = page.encode("utf-8")
    return files

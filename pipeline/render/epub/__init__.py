"""The EPUB 3 edition: one XHTML file per chapter from `templates/epub/`, packaged by ebooklib."""

from __future__ import annotations

from ..edition import Edition

NAME = "epub"


def outputs(meta) -> list[str]:
    return [f"{meta.slug}.epub"]


def _render(doc, ctx):
    from .book import render

    return render(doc, ctx)


EDITION = Edition(
    name=NAME,
    label="EPUB",
    media_type="application/epub+zip",
    outputs=outputs,
    render=_render,
    templates=("epub", "partials", "fonts"),
    downloadable=True,
)

"""The EPUB 3 edition: one XHTML file per chapter from `templates/epub/`, packaged by ebooklib."""

from __future__ import annotations

from ..edition import Edition, lazy, slug_file

NAME = "epub"
outputs = slug_file("epub")


EDITION = Edition(
    name=NAME,
    label="EPUB",
    media_type="application/epub+zip",
    outputs=outputs,
    render=lazy(f"{__name__}.book", "render"),
    templates=("epub", "partials", "fonts"),
    downloadable=True,
    cites_pages=True,
)

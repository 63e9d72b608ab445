"""The web edition: build/index.html and build/assets/, listing the other editions as downloads."""

from __future__ import annotations

from ..edition import Edition, lazy

NAME = "html"


EDITION = Edition(
    name=NAME,
    label="Web",
    media_type="text/html",
    outputs=lazy(f"{__name__}.page", "outputs"),
    render=lazy(f"{__name__}.page", "render"),
    templates=("html", "partials", "fonts"),
    lists_downloads=True,
)

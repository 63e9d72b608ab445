"""The web edition: build/index.html and build/assets/, listing the other editions as downloads."""

from __future__ import annotations

from ..edition import Edition

NAME = "html"


def outputs(meta) -> list[str]:
    from .page import outputs

    return outputs(meta)


def _render(doc, ctx):
    from .page import render

    return render(doc, ctx)


EDITION = Edition(
    name=NAME,
    label="Web",
    media_type="text/html",
    outputs=outputs,
    render=_render,
    templates=("html", "partials", "fonts"),
    lists_downloads=True,
)

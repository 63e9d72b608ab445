"""The DOCX edition: the model as WordprocessingML, styled by a reference document (`templates/docx/`)."""

from __future__ import annotations

from ..edition import Edition

NAME = "docx"


def outputs(meta) -> list[str]:
    return [f"{meta.slug}.docx"]


def _render(doc, ctx):
    from .writer import render

    return render(doc, ctx)


EDITION = Edition(
    name=NAME,
    label="Word (DOCX)",
    media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    outputs=outputs,
    render=_render,
    templates=("docx", "fonts"),
    downloadable=True,
)

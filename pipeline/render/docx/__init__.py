"""The DOCX edition: the model as WordprocessingML, styled by a reference document (`templates/docx/`)."""

from __future__ import annotations

from ..edition import Edition, lazy, slug_file

NAME = "docx"
outputs = slug_file("docx")


EDITION = Edition(
    name=NAME,
    label="Word (DOCX)",
    media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    outputs=outputs,
    render=lazy(f"{__name__}.writer", "render"),
    templates=("docx", "fonts"),
    downloadable=True,
)

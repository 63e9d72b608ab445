"""The DOCX edition: the model as WordprocessingML, styled by a reference document (`templates/docx/`).

writer (the order of the whole), body (chapters: blocks, inlines, notes), contents (title page, TOC
field), sections (page numbering, running heads), layout (the contents' page estimates), wml
(paragraphs, runs, fields, bookmarks), package (the reference emptied, parts, properties, the zip),
ooxml (namespaces, the schema's child order), styles (the style map), fonts (the font table),
reference (the reference document made from templates/docx/*.xml and the theme).
"""

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

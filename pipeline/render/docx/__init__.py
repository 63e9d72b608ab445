"""The DOCX edition: the model as WordprocessingML, styled by a reference document (`templates/docx/`).

writer (the order of the whole), body (chapters: blocks, inlines, notes), contents (title page, TOC
field), sections (page numbering, running heads), layout (the contents' page estimates), wml
(paragraphs, runs, fields, bookmarks), package (the reference emptied, parts, properties, the zip),
ooxml (namespaces, the schema's child order), styles (the style map), fonts (the font table), embed (the fonts embedded, subset),
reference (the reference document made from templates/docx/*.xml and the theme).
"""

from __future__ import annotations

from ..edition import Command, Edition, lazy, slug_file

NAME = "docx"
outputs = slug_file("docx")


def _reference_arguments(parser) -> None:
    parser.add_argument("dir", help="the folder to write docx/reference.docx into (a templates folder)")
    parser.add_argument(
        "--templates", default=None, help="folder searched before the built-in templates (default: DIR, if it exists)"
    )


REFERENCE_DOCX = Command(
    name="reference-docx",
    help="make the DOCX edition's reference document from the templates and theme settings",
    description="Write DIR/docx/reference.docx: the DOCX edition's styles from docx/styles.xml (and "
    "numbering.xml, settings.xml, fontTable.xml) filled with the theme's fonts, colours and page size. "
    "Edit it in Word or LibreOffice, or change the templates and make it again.",
    arguments=_reference_arguments,
    run=lazy(f"{__name__}.reference", "command"),
)

EDITION = Edition(
    name=NAME,
    label="Word (DOCX)",
    media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    outputs=outputs,
    render=lazy(f"{__name__}.writer", "render"),
    templates=("docx", "fonts"),
    downloadable=True,
    commands=(REFERENCE_DOCX,),
)

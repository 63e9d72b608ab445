"""The DOCX edition: a Word document an editor can work in, on a reference document's styles.

python-docx opens the reference document — a designer's own `docx/reference.docx`, else one made
from the templates `docx/styles.xml`... and the theme settings (reference.py, which `pipeline
reference-docx` writes out too) — empties its body and writes the paper into it. Everything is a named style of that document — paragraphs,
headings, lead-ins (a character style), lists, captions, tables, notes, the contents — so a designer
restyles the edition by editing the reference document in Word or LibreOffice (styles are found by
name, styles.py, so a copy saved by either works).

The document: a title page with the imprint; the contents, a real TOC field whose result is already
written (contents.py); then the chapters (body.py), with headings in Heading 1–3 carrying the
pipeline's generated numbers, internal links as bookmarks and hyperlinks, and footnotes as Word
footnotes. Two sections (sections.py): the front matter (title page without furniture, roman page
numbers) and the text (running head, arabic page numbers from 1). The vendored faces the text uses
are embedded (embed.py), so it is set in them on a machine without them.

The contents' page numbers are estimated (layout.py) with the fonts the text is set in, which travel
with it, so LibreOffice lays it out as estimated on any machine. Where the text names a proportional
family that is not vendored (a theme's choice), a reader's substitute sets it and no estimate holds:
the entries then have no numbers and the field asks to be updated (w:dirty, and w:updateFields,
which makes Word offer to update fields on opening), as a wrong number looks like a right one.
Otherwise `w:updateFields` is not set: Word would greet every reader with a question about updating
fields that "may refer to other files"; F9 in Word, Tools > Update in LibreOffice, update them.
"""

from __future__ import annotations

from ...model import Document
from .. import Context
from ..common import check_images
from . import outputs
from .body import Body
from .contents import ask_for_update, contents, front_matter, number_entries
from .embed import embed_fonts, list_labels, stories
from .layout import estimate_pages
from .package import (
    empty_reference,
    footnotes_part,
    save,
    set_app_properties,
    set_core_properties,
    set_language,
)
from .reference import open_reference
from .sections import text_width, two_sections
from .styles import style_ids
from .wml import Pieces, bookmark_names

APPLICATION = "pipeline (python-docx)"


def render(doc: Document, ctx: Context) -> dict[str, bytes]:
    check_images(doc)
    document, reference = open_reference(ctx.templates, ctx.theme)
    pieces = Pieces(style_ids(document.styles.element, reference))
    meta = doc.meta
    final_sectpr = empty_reference(document)
    set_language(document, meta.language)
    body = document.element.body
    bookmarks = bookmark_names(doc)
    heading = front_matter(pieces, body, meta)
    first_body_index = len(body)
    chapters = Body(pieces, document, doc, text_width(final_sectpr), bookmarks)
    for chapter in doc.chapters:
        chapters.section(body, chapter)
    body_elements = list(body[first_body_index:])
    body.append(final_sectpr)  # the last section's properties close the body
    pages = estimate_pages(body_elements, document, final_sectpr, ctx.templates, chapters.footnotes)
    entries = contents(pieces, heading, doc, bookmarks)
    two_sections(pieces, document, entries[-1], final_sectpr, meta.title)
    footnotes_part(document, chapters.footnotes)
    fonts = embed_fonts(document, stories(document, chapters.footnotes), ctx.templates, list_labels(document))
    titled = [bookmarks[s.id] for s in doc.sections() if s.level <= 3]
    if titled and fonts.foreign:
        ask_for_update(entries, document.settings.element)
    elif titled:
        number_entries(pieces, entries, [str(pages[name]) if name in pages else "" for name in titled])
    set_core_properties(
        document,
        {
            "title": meta.title,
            "subject": meta.subtitle or meta.description,
            "creator": meta.creator,
            "lastModifiedBy": meta.creator,
            "keywords": ", ".join(meta.keywords),
            "language": meta.language,
            "identifier": meta.identifier,
            "description": meta.description,
        },
        meta.timestamp.replace(tzinfo=None),
    )
    set_app_properties(document, APPLICATION, meta.publisher or meta.issuer)
    return {outputs(meta)[0]: save(document, meta.timestamp)}

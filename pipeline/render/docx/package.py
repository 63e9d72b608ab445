"""The DOCX package around the text: the reference document emptied of its body and of what belongs
to it rather than to its styles; relationships dropped; the language; pictures; the footnotes part
(python-docx has no API for it); the core and app properties; and the saved, normalised zip."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from docx.image.exceptions import InvalidImageStreamError, UnexpectedEndOfFileError, UnrecognizedImageError
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml.parser import parse_xml
from lxml import etree
from PIL import Image as PILImage

from ...fonts import is_cjk
from ..zipfix import normalize_zip
from .ooxml import R_NS, W_NS, child, insert_child, replace_part, w, xml_bytes

REFERENCE = "docx/reference.docx"  # on the template search path
# Parts of a designer's reference document that must not reach the edition.
DROPPED_PACKAGE_RELS = (RT.THUMBNAIL, RT.CUSTOM_PROPERTIES)
DROPPED_DOCUMENT_RELS = (RT.HEADER, RT.FOOTER, RT.COMMENTS, RT.CUSTOM_XML)
DROPPED_DOCUMENT_REL_SUFFIXES = ("/commentsExtended", "/commentsIds", "/commentsExtensible", "/people")
# The body's section properties that belong to the reference document's own pages.
SECTION_FURNITURE = ("headerReference", "footerReference", "titlePg", "pgNumType")

UNUSABLE_IMAGE = (UnrecognizedImageError, OSError, ValueError)  # a format python-docx does not place: alt text
DAMAGED_IMAGE = (InvalidImageStreamError, UnexpectedEndOfFileError)  # a broken file: the source's problem

SEPARATORS = (
    f'<w:footnotes xmlns:w="{W_NS}" xmlns:r="{R_NS}">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" '
    'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    "</w:footnotes>"
)


def drop_relationships(rels, reltypes: tuple[str, ...] = (), suffixes: tuple[str, ...] = ()) -> None:
    """Forget the relationships of those types (or whose type ends so): their parts are not saved."""
    for rId, rel in list(rels.items()):
        if rel.reltype in reltypes or rel.reltype.endswith(suffixes):
            del rels[rId]


def empty_reference(document):
    """Empty the reference document's body and drop what belongs to it rather than to its styles;
    returns the body's section properties (page setup), taken out until the text is written."""
    body = document.element.body
    sectpr = body.find(w("sectPr"))
    if sectpr is None:  # Word's defaults
        sectpr = etree.Element(w("sectPr"))
    for element in list(body):
        body.remove(element)
    furniture = {w(name) for name in SECTION_FURNITURE}
    for element in list(sectpr):
        if element.tag in furniture:
            sectpr.remove(element)
    drop_relationships(document.part.rels, DROPPED_DOCUMENT_RELS, DROPPED_DOCUMENT_REL_SUFFIXES)
    drop_relationships(document.part.package.rels, DROPPED_PACKAGE_RELS)
    return sectpr


def set_language(document, language: str) -> None:
    """The document's language: spelling, hyphenation and quotes follow it in Word and LibreOffice.
    A paper in Chinese is Chinese in the East Asian slot too, and its ambiguous characters (quotes,
    dashes) take the East Asian font: full-width “” and —— as Chinese sets them."""
    defaults = child(document.styles.element, "docDefaults")
    rpr = child(child(defaults, "rPrDefault"), "rPr")
    lang = child(rpr, "lang")
    if is_cjk(language):
        tag = word_language(language)
        lang.set(w("val"), tag)
        lang.set(w("eastAsia"), tag)
        child(rpr, "rFonts").set(w("hint"), "eastAsia")
    else:
        lang.set(w("val"), language)


def word_language(language: str) -> str:
    """A Chinese BCP 47 tag as Word knows it: by region (zh-CN, zh-TW), not by script (zh-Hans)."""
    parts = language.split("-")
    regions = [p.upper() for p in parts[1:] if len(p) == 2 and p.isalpha()]
    if regions:
        return f"zh-{regions[0]}"
    return "zh-TW" if any(p.lower() == "hant" for p in parts[1:]) else "zh-CN"


# --- pictures --------------------------------------------------------------------------------


def picture_file(path: Path):
    """The image as python-docx can read it: WebP (which it does not read, nor older Words) as PNG."""
    if path.suffix.lower() != ".webp":
        return str(path)
    buffer = io.BytesIO()
    with PILImage.open(path) as image:
        image.save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def picture_inline(part, path: Path, max_width: int, alt: str):
    """A wp:inline of the image at its size, no wider than `max_width` (twips), its image part added.
    Raises UNUSABLE_IMAGE or DAMAGED_IMAGE errors."""
    _, image = part.get_or_add_image(picture_file(path))
    width = min(image.width, max_width * 635)
    inline = part.new_pic_inline(picture_file(path), width=width)
    for side in ("distT", "distB", "distL", "distR"):  # LibreOffice's default is not 0
        inline.set(side, "0")
    inline.docPr.set("descr", alt)
    inline.docPr.set("name", path.name)
    return inline


# --- notes -----------------------------------------------------------------------------------


def footnotes_part(document, footnotes: list) -> None:
    """word/footnotes.xml: Word's separators and the w:footnote elements written.

    A reference document saved by Word or LibreOffice may have notes parts already (its settings
    then name their separators): they are kept, emptied of the reference document's own notes."""
    main = document.part
    existing = {}
    for rel in main.rels.values():
        if rel.reltype in (RT.FOOTNOTES, RT.ENDNOTES):
            existing[rel.reltype] = rel.target_part
    if RT.ENDNOTES in existing:
        replace_part(existing[RT.ENDNOTES], _only_separators(existing[RT.ENDNOTES].blob, "endnote"))
    if not footnotes and RT.FOOTNOTES not in existing:
        return
    if RT.FOOTNOTES in existing:
        root = _only_separators(existing[RT.FOOTNOTES].blob, "footnote")
    else:
        root = etree.fromstring(SEPARATORS)
    for note in footnotes:
        root.append(note)
    if RT.FOOTNOTES in existing:
        replace_part(existing[RT.FOOTNOTES], root)
    else:
        part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, xml_bytes(root), main.package)
        main.relate_to(part, RT.FOOTNOTES)
    settings = document.settings.element
    if settings.find(w("footnotePr")) is None:
        separators = "".join(
            f'<w:footnote w:id="{n.get(w("id"))}"/>' for n in root.iterfind(w("footnote")) if n.get(w("type"))
        )
        insert_child(settings, parse_xml(f'<w:footnotePr xmlns:w="{W_NS}">{separators}</w:footnotePr>'))


def _only_separators(blob: bytes, kind: str):
    """A notes part's root with only its separator notes (those with a w:type) left."""
    root = etree.fromstring(blob)
    for note in root.findall(w(kind)):
        if note.get(w("type")) in (None, "normal"):
            root.remove(note)
    return root


# --- properties and the file -----------------------------------------------------------------


def set_core_properties(document, texts: dict[str, str], stamp: dt.datetime) -> None:
    """Core properties: exactly these texts (none left from the reference document), revision 1,
    created and modified at `stamp`.

    Written into the elements, not through python-docx's setters: those refuse text over 255
    characters, a limit of python-docx alone (the core properties are xsd:string in ECMA-376 Part 2,
    and Word and LibreOffice read longer ones). The paper's words are kept whole."""
    props = document.core_properties
    element = props._element
    for old in list(element):
        element.remove(old)
    for name, text in texts.items():
        getattr(element, f"get_or_add_{name}")().text = text
    props.revision = 1
    props.created = props.modified = stamp


def set_app_properties(document, application: str, company: str = "") -> None:
    """docProps/app.xml: the application that wrote the file, and the company if there is one."""
    app = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        f"<Application>{_xml_text(application)}</Application><DocSecurity>0</DocSecurity>"
        + (f"<Company>{_xml_text(company)}</Company>" if company else "")
        + "</Properties>"
    ).encode("utf-8")
    package = document.part.package
    try:
        package.part_related_by(RT.EXTENDED_PROPERTIES)._blob = app
    except KeyError:
        part = Part(PackURI("/docProps/app.xml"), CT.OFC_EXTENDED_PROPERTIES, app, package)
        package.relate_to(part, RT.EXTENDED_PROPERTIES)


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def save(document, date: dt.date, replace: dict[str, bytes] | None = None) -> bytes:
    """The document as a DOCX whose bytes depend on its content alone (zipfix)."""
    buffer = io.BytesIO()
    document.save(buffer)
    return normalize_zip(buffer.getvalue(), date, first=("[Content_Types].xml",), replace=replace)

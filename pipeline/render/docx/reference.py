"""The reference document: every style the edition uses, and nothing else (`pipeline reference-docx`,
and a build whose templates folder has no docx/reference.docx of its own).

Its parts are templates on the template search path (a designer's folder first): `docx/styles.xml`,
`docx/numbering.xml`, `docx/settings.xml` and `docx/fontTable.xml`, filled from the style map
(styles.py), the font table (fonts.py) and the theme settings (fonts, colours, page size). Around
them: python-docx's default package, emptied of what a reference document should not carry; the
page setup (the theme's page size, fixed margins); the Office theme's fonts; and a specimen of each
style in the body, for a designer who opens it in Word or LibreOffice. Builds ignore the body.

`templates/docx/reference.docx` is this module's output for the built-in theme (the tests check it
is), as `examples/themes/civic/docx/reference.docx` is for that theme.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import OpcError
from docx.oxml.parser import oxml_parser
from docx.shared import Twips
from lxml import etree

from ...errors import Collector, Diagnostic, SourceError
from ...templates import Templates, shown_path
from .fonts import MONO, MONO_PANOSE, vendored
from .ooxml import W_NS, replace_part
from .package import REFERENCE, drop_relationships, save, set_app_properties, set_core_properties
from .styles import BY_KEY, style_ids

# The parts made from templates, and the root element each must have.
PARTS = (
    (RT.STYLES, "docx/styles.xml", "styles"),
    (RT.NUMBERING, "docx/numbering.xml", "numbering"),
    (RT.SETTINGS, "docx/settings.xml", "settings"),
    (RT.FONT_TABLE, "docx/fontTable.xml", "fonts"),
)
PAGE = {"a4": (11906, 16838), "letter": (12240, 15840)}  # twips (1/20 pt)
MARGINS = {"top": 25, "bottom": 25, "left": 30, "right": 30, "header": 12, "footer": 12}  # mm
FIXED_DATE = dt.datetime(2024, 1, 1)  # the reference document's own timestamps (never the clock)
APPLICATION = "pipeline reference-docx"
# python-docx's default template carries much that a reference document should not: the Word 2010
# style copy, a customXml item, a thumbnail of an empty page, web settings.
UNWANTED_SUFFIXES = ("/stylesWithEffects", "/customXml", "/webSettings")


def mm(value: float) -> int:
    """Millimetres in twips."""
    return round(value / 25.4 * 1440)


def make(templates: Templates, theme) -> bytes:
    """The reference document for these templates and theme settings, as DOCX bytes."""
    document = docx.Document()
    part = document.part
    drop_relationships(part.rels, suffixes=UNWANTED_SUFFIXES)
    drop_relationships(part.package.rels, (RT.THUMBNAIL,))

    context = _context(templates, theme)
    for reltype, name, root in PARTS:
        replace_part(part.part_related_by(reltype), _part_xml(templates, name, root, context))
    remedy = "define them here (the edition writes them; their names are in pipeline/render/docx/styles.py)"
    style_ids(document.styles.element, shown_path(templates.find(PARTS[0][1])), remedy)
    _set_theme_fonts(part.part_related_by(RT.THEME), theme)

    body = document.element.body
    for element in list(body):
        if element.tag != f"{{{W_NS}}}sectPr":
            body.remove(element)
    _specimen(document)

    section = document.sections[0]
    for attr in list(section._sectPr.attrib):  # revision ids from python-docx's template
        del section._sectPr.attrib[attr]
    width, height = PAGE[theme["page_size"]]
    section.page_width, section.page_height = Twips(width), Twips(height)
    section.top_margin, section.bottom_margin = Twips(mm(MARGINS["top"])), Twips(mm(MARGINS["bottom"]))
    section.left_margin, section.right_margin = Twips(mm(MARGINS["left"])), Twips(mm(MARGINS["right"]))
    section.header_distance, section.footer_distance = Twips(mm(MARGINS["header"])), Twips(mm(MARGINS["footer"]))
    section.gutter = Twips(0)

    set_core_properties(
        document,
        {
            "title": "Reference document for the DOCX edition",
            "subject": "Styles of the DOCX edition; edit them, keep the names",
            "description": "Make it again with `pipeline reference-docx`",
        },
        FIXED_DATE,
    )
    set_app_properties(document, APPLICATION)
    return save(document, FIXED_DATE.date())


def _context(templates: Templates, theme) -> dict:
    """What the part templates are filled from."""
    body, heading = theme["body_font"], theme["heading_font"]
    width, _ = PAGE[theme["page_size"]]
    font_table = []
    for name in dict.fromkeys((body, heading)):
        family = vendored(name)
        font_table.append(
            {
                "name": name,
                "panose": _panose(templates, family.file(False, False)) if family else None,
                "family": family.generic if family else ("swiss" if name == heading else "roman"),
                "pitch": "variable",
                "charset": "00",  # Latin
            }
        )
    font_table.append({"name": MONO, "panose": MONO_PANOSE, "family": "modern", "pitch": "fixed", "charset": "00"})
    # The East Asian families, with the GB 2312 character set ("86"), as Word writes a Chinese font.
    cjk_body, cjk_heading = theme["cjk_body_font"], theme["cjk_heading_font"]
    for name in dict.fromkeys((cjk_body, cjk_heading)):
        generic = "swiss" if name == cjk_heading else "roman"
        font_table.append({"name": name, "panose": None, "family": generic, "pitch": "variable", "charset": "86"})
    return {
        "theme": dict(theme),
        "styles": BY_KEY,
        "fonts": {"body": body, "heading": heading, "mono": MONO, "cjk_body": cjk_body, "cjk_heading": cjk_heading},
        "colours": {key: theme[f"{key}_colour"].lstrip("#").upper() for key in ("text", "accent", "link")},
        "text_width": width - mm(MARGINS["left"]) - mm(MARGINS["right"]),
        "font_table": font_table,
    }


def _part_xml(templates: Templates, name: str, root: str, context: dict):
    """A part template rendered and read as XML (whitespace between elements dropped)."""
    text = templates.render(name, **context)
    where = shown_path(templates.find(name))
    try:
        element = etree.fromstring(text.encode("utf-8"), parser=oxml_parser)
    except etree.XMLSyntaxError as exc:
        message = f"does not make well-formed XML: {exc.msg} (line {exc.lineno} of what it renders)"
        raise SourceError([Diagnostic(where, 1, message)]) from None
    if element.tag != f"{{{W_NS}}}{root}":
        raise SourceError([Diagnostic(where, 1, f"must make a w:{root} element, not {element.tag}")])
    return element


def _panose(templates: Templates, relative: str) -> str | None:
    """The PANOSE classification of a vendored font file, as Word writes it (20 hex digits)."""
    try:
        from fontTools.ttLib import TTFont
    except ImportError:  # pragma: no cover - fontTools comes with WeasyPrint
        return None
    p = TTFont(templates.find(relative), lazy=True)["OS/2"].panose
    values = (
        p.bFamilyType,
        p.bSerifStyle,
        p.bWeight,
        p.bProportion,
        p.bContrast,
        p.bStrokeVariation,
        p.bArmStyle,
        p.bLetterForm,
        p.bMidline,
        p.bXHeight,
    )
    return "".join(f"{v:02X}" for v in values)


def _set_theme_fonts(theme_part, theme) -> None:
    """Point the Office theme's heading and body fonts (Design > Fonts) at the theme's families."""
    root = etree.fromstring(theme_part.blob)
    ns = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
    for where, family in (("major", theme["heading_font"]), ("minor", theme["body_font"])):
        for latin in root.iterfind(f".//a:{where}Font/a:latin", ns):
            latin.set("typeface", family)
            for attr in ("panose", "pitchFamily", "charset"):
                latin.attrib.pop(attr, None)
    replace_part(theme_part, root)


def _specimen(document) -> None:
    """A page of each style in use, so a designer sees what they change. Builds ignore the body."""

    def p(key: str, text: str = "", runs=()):
        para = document.add_paragraph(text, style=BY_KEY[key].name)
        for run_text, run_key in runs:
            para.add_run(run_text, style=BY_KEY[run_key].name if run_key else None)
        return para

    p("Title", "Title of the paper (Title)")
    p("Subtitle", "Subtitle")
    p("Author", "Issuer (Author)")
    p("Author", "Country (Author)")
    p("Date", "Place, date (Date)")
    p("Imprint", "Imprint: publisher, rights, source and identifier of the paper.")
    p("TOCHeading", "Contents (TOC Heading)")
    p("TOC1", "I. A chapter (TOC 1)\t1")
    p("TOC2", "(1) A section (TOC 2)\t1")
    p("TOC3", "A subsection (TOC 3)\t2")
    p("Heading1", "I. A chapter (Heading 1)")
    p(
        "FirstParagraph",
        "",
        [("The first paragraph after a heading (First Paragraph) has no indent; it may open with a ", None),
         ("lead-in (Lead-in character style).", "LeadIn"),
         (" Text may be ", None), ("strong", "Strong"), (", ", None), ("emphasised", "Emphasis"),
         (", a ", None), ("link", "Hyperlink"), (", ", None), ("code", "VerbatimChar"),
         (" or carry a note.", None), ("1", "FootnoteReference")],
    )  # fmt: skip
    p("BodyText", "Following paragraphs (Body Text) are indented. " * 3)
    p("BlockText", "A quotation (Block Text). " * 3)
    p("ListBullet", "A bulleted list (List Bullet)")
    p("ListBullet2", "Second level (List Bullet 2)")
    p("ListBullet3", "Third level (List Bullet 3)")
    p("ListContinue", "A further paragraph of a list item (List Continue)")
    p("ListNumber", "A numbered list (List Number)")
    p("ListNumber2", "Second level (List Number 2)")
    p("ListNumber3", "Third level (List Number 3)")
    p("Heading2", "(1) A section (Heading 2)")
    p("Heading3", "A subsection (Heading 3)")
    p("SourceCode", "Preformatted text (Source Code)")
    p("ThematicBreak")
    p("TableCaption", "Table 1. A table caption (Table Caption)")
    table = document.add_table(rows=3, cols=2, style=BY_KEY["Table"].name)
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.paragraphs[0].style = document.styles[BY_KEY["Compact"].name]
            cell.paragraphs[0].text = "Heading row" if r == 0 else f"Cell (Compact) {r}.{c + 1}"
    p("Figure", "[a figure (Figure)]")
    p("Caption", "Figure 1. A figure caption (Caption)")
    p("FootnoteText", "", [("1", "FootnoteReference"), (" A footnote (Footnote Text).", None)])
    p("Header", "The paper's title (Header)")
    p("Footer", "1 (Footer)")


# --- where builds and the command find it --------------------------------------------------------


def open_reference(templates: Templates, theme) -> tuple[docx.document.Document, str]:
    """The reference document a build writes the paper into, and where its problems are reported.

    A designer's own docx/reference.docx is used as it is: its styles are what they made in Word or
    LibreOffice. Without one, the reference is made from the part templates (the designer's first)
    and the theme settings (the designer's and the paper's), so a theme restyles the DOCX with no
    hand step; for the built-in theme that is templates/docx/reference.docx, byte for byte."""
    user = templates.user_dir
    if user is None or not os.path.lexists(user / REFERENCE):
        return docx.Document(io.BytesIO(make(templates, theme))), shown_path(templates.find(PARTS[0][1]))
    path = templates.find(REFERENCE)
    try:
        return docx.Document(str(path)), str(path)
    except (OpcError, KeyError, ValueError, zipfile.BadZipFile, etree.LxmlError) as exc:
        message = (
            f"is not a Word document python-docx can open ({type(exc).__name__}); save it again from Word or "
            "LibreOffice as .docx, or make a new one with `pipeline reference-docx`"
        )
        raise SourceError([Diagnostic(str(path), 1, message)]) from None


def write(out: Path, templates_dir: Path | None) -> Path:
    """`pipeline reference-docx`: make the reference document from the templates (`templates_dir`
    first) and their theme settings, and write it to out/docx/reference.docx."""
    from ...folder import check_folder, check_targets, os_errors, write_files
    from ...theme import resolve

    templates = Templates(templates_dir)
    data = make(templates, resolve(templates_dir, {}))
    errors = Collector()
    with os_errors(out):
        check_folder(out, errors)
        errors.raise_if_any()
        check_targets(out, [REFERENCE], errors)
        errors.raise_if_any()
        write_files(out, {REFERENCE: data})
    return out / REFERENCE


def command(args) -> int:
    """`pipeline reference-docx DIR [--templates T]` (T defaults to DIR, if it exists)."""
    out = Path(args.dir)
    templates = args.templates or (args.dir if out.is_dir() else None)
    print(f"wrote {write(out, Path(templates) if templates else None)}")
    return 0

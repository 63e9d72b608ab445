"""Citable paragraphs (pipeline/passages.py): each body paragraph's number and anchor, by the numbering."""

from __future__ import annotations

from conftest import MINIMAL_YAML, write_source
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

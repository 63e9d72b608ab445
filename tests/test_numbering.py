"""Numbering: the counters, the per-paper label forms in paper.yaml, and the gap after a label."""

from __future__ import annotations

import pytest

from conftest import MINIMAL_YAML, write_source
from pipeline.errors import SourceError
from pipeline.look import load
from pipeline.numbering import cjk_ideographic, label

CHAPTERS = {"chapters/one.md": "# One\n\nText.\n\n## Part\n\nMore.\n\n## Other\n\nAgain.\n"}


@pytest.mark.parametrize(
    ("n", "shown"),
    [(1, "一"), (10, "十"), (11, "十一"), (19, "十九"), (20, "二十"), (21, "二十一"), (100, "一百"),
     (101, "一百零一"), (110, "一百一十"), (1010, "一千零一十"), (2024, "二千零二十四"), (9999, "九千九百九十九"),
     (10000, "10000")],
)  # fmt: skip
def test_cjk_ideographic_as_chapter_numbers_are_written(n, shown):
    assert cjk_ideographic(n) == shown


def test_label_forms():
    assert label(2, "upper-roman", 1) == "II." and label(3, "arabic", 2) == "(3)"  # the defaults
    assert label(2, "cjk-ideographic", 1, "{}、") == "二、"
    assert label(12, "cjk-ideographic", 2, "（{}）") == "（十二）"
    assert label(3, "arabic", 2, "{}.") == "3."
    assert label(3, "none", 2, "（{}）") == ""


def test_a_papers_numbering_sets_the_label_forms_and_no_space_follows_a_full_width_label(tmp_path):
    yaml = MINIMAL_YAML + (
        "numbering:\n  chapters: cjk-ideographic\n  sections: cjk-ideographic\n"
        "  chapter_format: '{}、'\n  section_format: （{}）\n"
    )
    doc = load(write_source(tmp_path, {"paper.yaml": yaml, **CHAPTERS}))[0]
    assert [s.heading_text for s in doc.sections()] == ["一、One", "（一）Part", "（二）Other"]
    assert [s.label for s in doc.sections()] == ["一、", "（一）", "（二）"]


def test_the_english_editions_form(tmp_path):
    yaml = MINIMAL_YAML + "numbering: {chapters: upper-roman, sections: arabic, section_format: '{}.'}\n"
    doc = load(write_source(tmp_path, {"paper.yaml": yaml, **CHAPTERS}))[0]
    assert [s.heading_text for s in doc.sections()] == ["I. One", "1. Part", "2. Other"]


def test_the_default_is_unchanged(tmp_path):
    doc = load(write_source(tmp_path, {"paper.yaml": MINIMAL_YAML, **CHAPTERS}))[0]
    assert [s.heading_text for s in doc.sections()] == ["I. One", "(1) Part", "(2) Other"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("'{}{}'", "numbering chapter_format must hold {} once"),
        ("'No number'", "numbering chapter_format must hold {} once"),
        ("'{0.__class__}'", "numbering chapter_format must hold {} once"),
        ("'{}}'", "numbering chapter_format must hold {} once"),
        ("[a]", "numbering chapter_format must be text"),
        ("' {}.'", "numbering chapter_format may not begin or end with a space"),
        ("'{}..........................'", "numbering chapter_format is 28 characters long"),
        ('"{}\\u0007"', "numbering chapter_format holds control character U+0007"),
    ],
)
def test_a_bad_label_form_is_named_at_its_line(tmp_path, value, message):
    yaml = MINIMAL_YAML + f"numbering:\n  chapters: arabic\n  chapter_format: {value}\n  chapter: arabic\n"
    with pytest.raises(SourceError) as info:
        load(write_source(tmp_path, {"paper.yaml": yaml, **CHAPTERS}))[0]
    shown = [str(d) for d in info.value.diagnostics]
    assert any(f"paper.yaml:12: {message}" in d for d in shown), shown
    assert any("paper.yaml:13: unknown numbering level 'chapter'" in d for d in shown), shown


def test_the_theme_takes_the_new_counter(tmp_path):
    from pipeline.build import build

    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "theme.yaml").write_text("numbering:\n  chapters: cjk-ideographic\n")
    src = write_source(tmp_path / "src", {"paper.yaml": MINIMAL_YAML, **CHAPTERS})
    build(src, tmp_path / "out", formats=("html",), templates=theme)
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert '<span class="label">一.</span> One' in html  # the theme's counter, the default form

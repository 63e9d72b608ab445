"""Theme settings: built-in defaults, a designer's theme.yaml, the paper's `theme:` — checked, layered."""

from __future__ import annotations

import pytest

from conftest import MINIMAL_YAML, write_source
from pipeline.build import prepare
from pipeline.errors import SourceError
from pipeline.reader import read_source
from pipeline.theme import defaults, resolve

CHAPTER = "# One\n\nIntro.\n\n## Part\n\nText.\n"


def test_defaults_are_the_documented_ones():
    theme = defaults()
    assert theme["page_size"] == "a4" and theme["body_font"] == "Source Serif 4"
    assert theme["numbering"] == {"chapters": "upper-roman", "sections": "arabic", "subsections": "none"}


def test_layers_paper_over_folder_over_builtin(tmp_path):
    (tmp_path / "theme.yaml").write_text("accent_colour: '#003366'\npage_size: letter\n")
    theme = resolve(tmp_path, {"page_size": "a4"})
    assert (theme["accent_colour"], theme["page_size"], theme["body_font"]) == ("#003366", "a4", "Source Serif 4")


def test_bad_settings_name_their_line(tmp_path):
    (tmp_path / "theme.yaml").write_text("# a theme\naccent_color: '#003366'\ncover_background: red\npage_size: a5\n")
    with pytest.raises(SourceError) as info:
        resolve(tmp_path, {})
    assert [f"{d.line}: {d.message}" for d in info.value.diagnostics] == [
        "2: unknown theme setting 'accent_color'; did you mean 'accent_colour'?",
        "3: theme setting 'cover_background' must be a colour as #rrggbb, not 'red'",
        "4: theme setting 'page_size' must be one of a4, letter, not 'a5'",
    ]


def test_paper_theme_is_checked_in_paper_yaml(tmp_path):
    write_source(tmp_path, {"paper.yaml": MINIMAL_YAML + "theme:\n  text_colour: black\n", "chapters/one.md": CHAPTER})
    with pytest.raises(SourceError) as info:
        read_source(tmp_path)
    (d,) = info.value.diagnostics
    assert d.path.endswith("paper.yaml") and d.line == 11 and "#rrggbb" in d.message


def test_theme_numbering_applies_unless_the_paper_sets_its_own(tmp_path):
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "theme.yaml").write_text("numbering:\n  chapters: arabic\n  sections: lower-alpha\n")
    write_source(tmp_path / "a", {"paper.yaml": MINIMAL_YAML, "chapters/one.md": CHAPTER})
    doc, _, _ = prepare(tmp_path / "a", theme)
    assert (doc.chapters[0].label, doc.chapters[0].sections[0].label) == ("1.", "(a)")
    own = MINIMAL_YAML + "numbering:\n  chapters: upper-roman\n"
    write_source(tmp_path / "b", {"paper.yaml": own, "chapters/one.md": CHAPTER})
    doc, _, _ = prepare(tmp_path / "b", theme)
    assert (doc.chapters[0].label, doc.chapters[0].sections[0].label) == ("I.", "(1)")

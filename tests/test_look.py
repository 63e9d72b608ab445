"""One look (templates + theme) and numbering once: `check`, `dump` and the editions agree on the labels,
and `check` reports the templates' and the theme's problems with the source's."""

from __future__ import annotations

import subprocess
import sys

from conftest import MINIMAL_YAML, ROOT, write_source
from pipeline.build import build
from pipeline.look import load
from pipeline.reader import read_source


def run(*args):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=ROOT, capture_output=True, text=True)


def _paper(tmp_path):
    src = write_source(tmp_path / "src", {"paper.yaml": MINIMAL_YAML, "chapters/one.md": "# One\n\n## Part\n\nText.\n"})
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "theme.yaml").write_text("numbering:\n  chapters: arabic\n  sections: lower-alpha\n", encoding="utf-8")
    return src, theme


def test_the_reader_does_not_number_the_look_does(tmp_path):
    src, theme = _paper(tmp_path)
    assert read_source(src).chapters[0].label == ""
    doc, look = load(src, theme)
    assert (doc.chapters[0].label, doc.chapters[0].sections[0].label) == ("1.", "(a)")
    assert look.numbering.chapters == "arabic"


def test_dump_shows_the_labels_a_themed_build_prints(tmp_path):
    src, theme = _paper(tmp_path)
    dumped = run("dump", "--source", str(src), "--templates", str(theme))
    assert dumped.returncode == 0, dumped.stderr
    assert "label='1.'" in dumped.stdout and "label='(a)'" in dumped.stdout
    build(src, tmp_path / "out", formats=("html",), templates=theme)
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "1. One" in html or ">1.<" in html


def test_check_reports_template_and_theme_problems_with_the_source(tmp_path):
    src, theme = _paper(tmp_path)
    (theme / "theme.yaml").write_text("page_size: a5\n", encoding="utf-8")
    (theme / "html").mkdir()
    (theme / "html" / "index.html").write_text("{% if %}\n", encoding="utf-8")
    (src / "chapters" / "one.md").write_text("# One\n\n[broken](#nowhere)\n", encoding="utf-8")
    checked = run("check", "--source", str(src), "--templates", str(theme))
    assert checked.returncode == 1
    err = checked.stderr
    assert f"{theme / 'theme.yaml'}:1: theme setting 'page_size' must be one of a4, letter" in err
    assert f"{theme / 'html' / 'index.html'}:1:" in err
    assert f"{src / 'chapters' / 'one.md'}:3:" in err


def test_source_date_epoch_must_be_a_time_the_editions_can_hold(tmp_path, monkeypatch):
    import pytest

    from pipeline.errors import SourceError

    src, _theme = _paper(tmp_path)
    for bad in ("-1", "1e9", "12.5", "０", "100"):  # negative, float forms, a full-width digit, 1970
        monkeypatch.setenv("SOURCE_DATE_EPOCH", bad)
        with pytest.raises(SourceError, match="SOURCE_DATE_EPOCH:1: must be whole seconds since 1970"):
            load(src)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert load(src)[0].meta.modified.year == 2023

"""The reader: Markdown + paper.yaml -> model, on small sample sources."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from conftest import MINIMAL_YAML, write_source
from pipeline.errors import SourceError
from pipeline.look import load
from pipeline.model import Figure, FootnoteRef, LeadIn, Link, ListBlock, Para, Strong, Table, Text, plain_text
from pipeline.reader import slugify


def read(tmp_path, chapter: str | bytes, yaml: str = MINIMAL_YAML, extra: dict | None = None):
    write_source(tmp_path, {"paper.yaml": yaml, "chapters/one.md": chapter, **(extra or {})})
    return load(tmp_path)[0]  # read and numbered, as every command sees it


def problems(tmp_path, chapter, **kw) -> list[str]:
    with pytest.raises(SourceError) as info:
        read(tmp_path, chapter, **kw)
    return [f"{d.line}: {d.message}" for d in info.value.diagnostics]


def test_structure_labels_and_ids(tmp_path):
    doc = read(tmp_path, "# One\n\nIntro.\n\n## Alpha\n\nA.\n\n### Deep\n\nD.\n\n## Beta\n\nB.\n")
    (chapter,) = doc.chapters
    assert (chapter.label, chapter.id, chapter.level) == ("I.", "one", 1)
    assert [(s.label, s.id) for s in chapter.sections] == [("(1)", "alpha"), ("(2)", "beta")]
    assert chapter.sections[0].sections[0].label == ""  # subsections unnumbered by default
    assert str(chapter.sections[1].loc).endswith("chapters/one.md:13")


def test_numbering_is_a_setting(tmp_path):
    yaml = MINIMAL_YAML + "numbering:\n  chapters: arabic\n  sections: lower-alpha\n"
    doc = read(tmp_path, "# One\n\nIntro.\n\n## Alpha\n\nA.\n", yaml=yaml)
    assert doc.chapters[0].label == "1." and doc.chapters[0].sections[0].label == "(a)"


def test_unnumbered_parts_do_not_count(tmp_path):
    yaml = MINIMAL_YAML.replace(
        "  - chapters/one.md", "  - {file: chapters/pre.md, numbered: false}\n  - chapters/one.md\n  - chapters/two.md"
    )
    doc = read(
        tmp_path,
        "# One\n\nText.\n",
        yaml=yaml,
        extra={"chapters/pre.md": "# preface\n\nP.\n", "chapters/two.md": "# Two\n\nT.\n"},
    )
    assert [c.label for c in doc.chapters] == ["", "I.", "II."]
    assert doc.chapters[0].plain_title == "preface"  # the source's words, case and all


def test_lead_in_with_and_without_dash(tmp_path):
    doc = read(
        tmp_path, "# One\n\n**Protect rights.** Build a barrier.\n\n——**Adhere to it.** More.\n\nPlain **bold** here.\n"
    )
    first, dashed, plain = doc.chapters[0].blocks
    assert isinstance(first.inlines[0], LeadIn) and plain_text(first.inlines[0].children) == "Protect rights."
    assert dashed.inlines[0] == Text("——") and isinstance(dashed.inlines[1], LeadIn)
    assert plain.lead_in is None and isinstance(plain.inlines[1], Strong)


def test_raw_html_is_text_never_markup(tmp_path):
    doc = read(
        tmp_path, '# One\n\n<script>alert(1)</script> and <img src=x onerror="alert(2)">\n\n[x](javascript:alert(3))\n'
    )
    texts = [plain_text(b.inlines) for b in doc.chapters[0].blocks]
    assert texts[0] == '<script>alert(1)</script> and <img src=x onerror="alert(2)">'
    assert texts[1] == "[x](javascript:alert(3))"  # not a link: markdown-it refuses the scheme
    assert not any(isinstance(n, Link) for b in doc.chapters[0].blocks for n in b.inlines)


def test_whitespace_folds_and_line_endings_bom_tabs_work(tmp_path):
    chapter = "\ufeff# One\r\n\r\nA  paragraph\twith   spaces   \r\nacross lines.\r\n".encode()
    doc = read(tmp_path, chapter)
    assert plain_text(doc.chapters[0].blocks[0].inlines) == "A paragraph with spaces across lines."


def test_unicode_outside_latin(tmp_path):
    doc = read(tmp_path, "# 新时代的中国网络法治建设\n\n互联网是人类文明发展的重要成果。\n")
    assert doc.chapters[0].id == "新时代的中国网络法治建设"
    assert plain_text(doc.chapters[0].blocks[0].inlines) == "互联网是人类文明发展的重要成果。"


def test_footnotes_figures_tables_lists_links(tmp_path):
    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, "PNG")  # a real one: the reader decodes every image
    png = png.getvalue()
    chapter = (
        "# One\n\nA claim.[^a] Another.[^b] See [the table](#tbl-rates).\n\n"
        '![A map of the network](map.png "The network in 2022")\n\n'
        "{#tbl-rates}\n| Year | Users |\n|:-----|------:|\n| 2021 | 1.0 |\n\n"
        "- one\n- two\n\n1. first\n2. second\n\n"
        "[^a]: The first note.\n[^b]: The second note.\n"
    )
    doc = read(tmp_path, chapter, extra={"chapters/map.png": png})
    blocks = doc.chapters[0].blocks
    refs = [n for n in blocks[0].inlines if isinstance(n, FootnoteRef)]
    assert [(r.number, r.id) for r in refs] == [(1, "fn-1"), (2, "fn-2")]
    assert [plain_text(n.blocks[0].inlines) for n in doc.chapters[0].footnotes] == [
        "The first note.",
        "The second note.",
    ]
    figure = blocks[1]
    assert (
        isinstance(figure, Figure)
        and figure.src == "chapters/map.png"
        and plain_text(figure.caption) == "The network in 2022"
    )
    table = blocks[2]
    assert isinstance(table, Table) and table.id == "tbl-rates" and table.body[0][1].align == "right"
    assert [type(b) for b in blocks[3:]] == [ListBlock, ListBlock] and blocks[4].ordered


def test_explicit_ids_win_and_auto_ids_are_unique(tmp_path):
    doc = read(tmp_path, "# One\n\nX.\n\n## Same\n\nA.\n\n## Same\n\nB.\n\n{#custom}\n## Other\n\nC.\n")
    assert [s.id for s in doc.chapters[0].sections] == ["same", "same-2", "custom"]


def test_reserved_ids_are_avoided(tmp_path):
    doc = read(tmp_path, "# Contents\n\nX.\n")
    assert doc.chapters[0].id == "contents-2"


def test_all_problems_of_a_file_at_once(tmp_path):
    found = problems(tmp_path, "# One\n\n### Skip\n\nText [x](#nope) \x07.\n\n![](gone.png)\n")
    assert found == [
        "3: heading skips a level: level 3 after level 1 (use ##)",
        "5: broken internal link '#nope': no heading, figure or table has that id",
        "5: control character U+0007 in the text; remove it",
        "7: image 'gone.png' has no alt text: write ![what it shows](gone.png)",
        "7: image 'gone.png' not found",
    ]


def test_link_line_is_the_line_of_the_link(tmp_path):
    found = problems(tmp_path, "# One\n\nFirst line\nsecond line\nthird [bad](#missing) line.\n")
    assert found == ["5: broken internal link '#missing': no heading, figure or table has that id"]


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("China's Law (2)", "chinas-law-2"),
        ("  --Hello, World!--  ", "hello-world"),
        ("2023 plan", "s-2023-plan"),
        ("!!!", "section"),
    ],
)
def test_slugify(title, slug):
    assert slugify(title) == slug


def test_bundled_source_reads(doc):
    assert len(doc.chapters) == 8
    assert [c.label for c in doc.chapters] == ["", "I.", "II.", "III.", "IV.", "V.", "VI.", ""]
    assert sum(1 for _ in doc.sections()) == 8 + 19
    assert sum(1 for _ in doc.paragraphs()) == 74
    assert sum(1 for p in doc.paragraphs() if p.lead_in) == 42
    assert doc.meta.released.isoformat() == "2023-03-16" and doc.meta.date == "March 2023"
    assert isinstance(doc.chapters[1].blocks[1], Para)


def test_very_long_paragraphs_and_trailing_spaces(tmp_path):
    long = " ".join(["word"] * 50_000)
    doc = read(tmp_path, f"# One   \n\n{long}   \n\nShort.\t \n")
    first, second = doc.chapters[0].blocks
    assert plain_text(first.inlines) == long and plain_text(second.inlines) == "Short."
    assert doc.chapters[0].plain_title == "One"

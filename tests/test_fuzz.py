"""Properties over arbitrary input: the reader and the importer give a result or a clean SourceError
(with path:line), never another exception. Marked slow: thousands of examples."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import MINIMAL_YAML, write_source
from paperstyles import PAPERS, expected_structure, structure_of, text_of
from pipeline.errors import SourceError
from pipeline.importer import import_text
from pipeline.look import load
from pipeline.reader import read_source

pytestmark = pytest.mark.slow

# Markdown-ish text: the characters markup is made of, words, and anything else now and then.
MARKUP = st.sampled_from(
    list("#*_[]()!<>`{}|-+=.:^~\\&;\"' \n\t") + ["\n\n", "# ", "## ", "### ", "[^1]", "{#x}", "——"]
)
WORDS = st.sampled_from(
    ["word", "Title", "1、", "(1)", "preface", "Conclusion", "catalogue", "http://x", "#id", "x.png"]
)
CHARS = st.characters(blacklist_categories=("Cs",))  # surrogates cannot be saved as UTF-8
TEXT = st.lists(st.one_of(MARKUP, WORDS, CHARS), max_size=60).map("".join)
SETTINGS = settings(
    max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def _source_error_is_clean(exc: SourceError) -> None:
    assert exc.diagnostics
    for d in exc.diagnostics:
        assert d.line >= 1 and d.message and "\n" not in d.message


@SETTINGS
@given(chapter=st.one_of(TEXT, st.binary(max_size=120)))
def test_reader_never_crashes(tmp_path_factory, chapter):
    root = tmp_path_factory.mktemp("fuzz")
    write_source(root, {"paper.yaml": MINIMAL_YAML, "chapters/one.md": chapter})
    try:
        doc = read_source(root)
    except SourceError as exc:
        _source_error_is_clean(exc)
    else:
        assert doc.chapters and doc.chapters[0].level == 1


@SETTINGS
@given(
    yaml_text=st.lists(st.one_of(st.sampled_from(MINIMAL_YAML.splitlines(keepends=True)), TEXT), max_size=14).map(
        "".join
    )
)
def test_metadata_never_crashes(tmp_path_factory, yaml_text):
    root = tmp_path_factory.mktemp("fuzz")
    write_source(root, {"paper.yaml": yaml_text, "chapters/one.md": "# One\n\nText.\n"})
    try:
        read_source(root)
    except SourceError as exc:
        _source_error_is_clean(exc)


LINES = st.lists(
    st.one_of(
        st.sampled_from(["preface", "Conclusion", "catalogue", "(March 2023)", "Date: 2023-06-20 Clicks:0", ""]),
        st.sampled_from(
            ["前言", "结束语", "目录", "（2023年3月）", "新华社北京3月16日电 白皮书。全文如下：", "Epilogue"]
        ),
        st.builds(lambda n, t: f"{n}、 {t}", st.integers(1, 12), TEXT),
        st.builds(lambda n, t: f"({n}) {t}", st.integers(1, 12), TEXT),
        st.builds(
            lambda n, t: f"{n}{t}", st.sampled_from(["一、", "十二、", "（一）", "(三)", "I. ", "IV. ", "1. "]), TEXT
        ),
        st.builds(lambda t: f"——{t}", TEXT),
        TEXT,
    ),
    max_size=30,
)


@SETTINGS
@given(lines=LINES)
def test_importer_output_reads_back_or_the_importer_says_why(tmp_path_factory, lines):
    """Whatever the text, the importer's source folder reads cleanly, or the importer reports why."""
    text = "\n\n".join(lines)
    try:
        files = import_text(text, "paper.txt")
    except SourceError as exc:
        _source_error_is_clean(exc)
        return
    root = tmp_path_factory.mktemp("fuzz")
    write_source(root, files)
    try:
        read_source(root)
    except SourceError as exc:
        # Only a problem in the text itself (a control character) may stop an imported source.
        assert all("control character" in d.message for d in exc.diagnostics), exc


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(paper=PAPERS)
def test_any_generated_paper_in_any_style_imports_to_the_structure_it_was_made_from(tmp_path_factory, paper):
    """A paper drawn in any style the importer takes (received "1、"/"(1)", English "I."/"1.", Chinese
    "一、"/"（一）"; titles repeated across chapters; with or without catalogue, preface, conclusion,
    sections) imports to exactly its chapters, labels, sections and paragraphs."""
    root = write_source(tmp_path_factory.mktemp("paper"), import_text(text_of(paper), "paper.txt"))
    doc = load(root)[0]  # read and numbered, as every command sees it
    assert structure_of(doc) == expected_structure(paper)
    assert doc.meta.language == ("zh-Hans" if paper.style == "chinese" else "en")


@settings(max_examples=500, deadline=None)
@given(paper=PAPERS, encoding=st.sampled_from(["gb18030", "gbk", "big5", "cp1252", "cp1251", "utf_16", "utf_32"]))
def test_a_paper_in_another_encoding_reads_as_its_text_or_is_refused(paper, encoding):
    """Never mojibake: the text of a generated paper saved in another encoding is read back exactly,
    or refused with path:1:, never read as other characters."""
    from pipeline.encoding import decode_any
    from pipeline.errors import Collector
    from pipeline.paperstyle import fit

    text = text_of(paper)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    errors = Collector()
    decoded = decode_any(data, "paper.txt", errors, fit=fit)
    if decoded is None:
        assert errors.items and all(d.line == 1 for d in errors.items)
    else:
        assert decoded.text == text, (encoding, decoded.encoding)

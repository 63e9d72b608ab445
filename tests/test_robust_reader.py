"""Issue #14, the reader's part: bounded work, no internal error, confinement, and messages that
blame the right place. Each test names the old behaviour it guards against.

Work is measured by counting (comparisons, lookups), not by the clock, wherever that is possible;
the two scans that can only be timed get bounds many times what they need.
"""

from __future__ import annotations

import io
import time

import lxml.etree
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from conftest import MINIMAL_YAML, write_source
from pipeline import reader as reader_module
from pipeline.cli import main
from pipeline.errors import SourceError
from pipeline.reader import read_source

# The documented limits (docs/limits.md), written out: the tests hold the code to the documentation.
MAX_BLOCK_NESTING = 12
MAX_HINT_CANDIDATES = 64
MAX_TEXT_BYTES = 8 * 1024 * 1024
MAX_YAML_DEPTH = 32

CHAPTER = "# One\n\nSome text.\n"
PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def messages(root) -> list[str]:
    with pytest.raises(SourceError) as caught:
        read_source(root)
    return [str(d) for d in caught.value.diagnostics]


def source(tmp_path, yaml_text: str = MINIMAL_YAML, chapter: str = CHAPTER, **extra):
    return write_source(tmp_path / "src", {"paper.yaml": yaml_text, "chapters/one.md": chapter, **extra})


def png(size=(16, 16)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


# --- messages never carry an expanded value --------------------------------------------------


def laughs(levels: int) -> str:
    lines = ["keywords: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"rights{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return MINIMAL_YAML + "\n".join(lines) + f"\ntheme:\n  page_size: *a{levels - 1}\n"


def test_nested_aliases_are_refused_at_their_line_with_a_short_message(tmp_path):
    # Old: the theme message carried repr() of the expanded value (9**6 strings here; 351 MB at 9**9).
    found = messages(source(tmp_path, laughs(6)))
    assert any("more than 10,000 values once its aliases are expanded" in m for m in found), found
    assert all(m.startswith(str(tmp_path / "src" / "paper.yaml")) for m in found)
    assert sum(len(m) for m in found) < 2000


def test_an_alias_inside_its_own_value_is_a_loop(tmp_path):
    found = messages(source(tmp_path, MINIMAL_YAML + "theme:\n  page_size: &a [x, *a]\n"))
    assert any(":11: YAML: alias *a is inside the value it names (a loop)" in m for m in found), found


def test_a_huge_value_is_shown_short(tmp_path):
    # Old: the whole value, in the message: a megabyte of slug gave a megabyte line.
    text = MINIMAL_YAML.replace("slug: small-paper", "slug: " + "Ä" * 100_000)
    text = text.replace("language: en", "language: " + "1" * 100_000)
    found = messages(source(tmp_path, text + "? " + "x" * 100_000 + "\n: 1\n"))
    assert len(found) == 3 and all(len(m) < 400 for m in found), [m[:200] for m in found]


def test_shown_is_bounded_for_any_value():
    from pipeline.errors import shown

    loop: list = [1]
    loop.append(loop)
    for value in ("x" * 10**6, list(range(10**5)), {i: [i] * 100 for i in range(1000)}, loop):
        assert len(shown(value)) <= 80


# --- YAML nesting ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["keywords", "theme", "numbering", "contents", "rights"])
def test_deep_yaml_is_a_message_not_a_recursion_error(tmp_path, key):
    # Old: RecursionError, exit 3, for any key.
    text = MINIMAL_YAML.replace("contents:\n  - chapters/one.md\n", "") if key == "contents" else MINIMAL_YAML
    found = messages(source(tmp_path, text + f"{key}: " + "[" * 10_000 + "]" * 10_000 + "\n"))
    assert any(f"YAML: nested deeper than {MAX_YAML_DEPTH} levels" in m for m in found), found


def nested_yaml(depth: int, shapes: list[str]) -> str:
    """A value `depth` levels deep, each level a flow list, a flow mapping, a tagged list, or a mapping
    with a list as its key."""
    value = "leaf"
    for level in range(depth):
        shape = shapes[level % len(shapes)]
        value = {
            "list": f"[{value}]",
            "map": f"{{k: {value}}}",
            "tagged": f"!!seq [{value}]",
            "key": f"{{[{value}]: v}}",  # a list as a key: YAML allows it, paper.yaml does not
        }[shape]
    return value


@PROPERTY
@given(
    depth=st.one_of(st.integers(1, 40), st.integers(1, 3000)),  # around the limit, and far past it
    shapes=st.lists(st.sampled_from(["list", "map", "tagged", "key"]), min_size=1, max_size=4),
    key=st.sampled_from(["keywords", "theme", "numbering", "title", "unknown_key", "description"]),
)
def test_property_yaml_nesting_never_breaks_the_reader(tmp_path_factory, depth, shapes, key):
    """Class "deeply nested YAML": any depth and shape gives a model or path:line messages, and past the
    limit the message says so at the line of the value."""
    root = tmp_path_factory.mktemp("yaml")
    source_dir = write_source(root, {"paper.yaml": MINIMAL_YAML + f"{key}: {nested_yaml(depth, shapes)}\n"})
    (source_dir / "chapters").mkdir()
    (source_dir / "chapters" / "one.md").write_text(CHAPTER)
    try:
        read_source(source_dir)
    except SourceError as exc:
        assert all(d.path.endswith("paper.yaml") and d.line >= 1 for d in exc.diagnostics)
        if depth >= MAX_YAML_DEPTH:
            assert any(d.line == 10 and "nested deeper" in d.message for d in exc.diagnostics)


# --- Markdown nesting ----------------------------------------------------------------------------

CONTAINERS = {"quote": "> ", "bullet": "- ", "ordered": "1. "}
INLINES = {"emph": ("*", "*"), "strong": ("**", "**"), "link": ("[", "](#one)"), "under": ("_", "_")}


@PROPERTY
@given(
    blocks=st.lists(st.sampled_from(sorted(CONTAINERS)), max_size=60),
    inlines=st.lists(st.sampled_from(sorted(INLINES)), max_size=80),
)
def test_property_markdown_nesting_is_kept_or_refused_never_lost(tmp_path_factory, blocks, inlines):
    """Class "deeply nested Markdown": quotes and lists inside each other, and emphasis, bold and links
    inside each other, to any depth. Either the innermost word is in the model (nothing dropped: the
    old reader silently lost text past markdown-it's nesting limit), or a path:line message says the
    limit was passed; never a RecursionError (the old reader's exit 3)."""
    prefix = "".join(CONTAINERS[b] for b in blocks)
    opening = " ".join(INLINES[i][0] + "w" for i in inlines)
    closing = " ".join("w" + INLINES[i][1] for i in reversed(inlines))
    line = f"{prefix}{opening} innermost {closing}".rstrip()
    root = tmp_path_factory.mktemp("md")
    source_dir = write_source(root, {"paper.yaml": MINIMAL_YAML, "chapters/one.md": CHAPTER + "\n" + line + "\n"})
    try:
        doc = read_source(source_dir)
    except SourceError as exc:
        assert all(d.path.endswith("one.md") and d.line == 5 for d in exc.diagnostics), exc.diagnostics
        assert any("nested more than" in d.message for d in exc.diagnostics)
        assert len(blocks) > MAX_BLOCK_NESTING or len(inlines) > 12
        return
    assert "innermost" in _all_text(doc)
    assert len(blocks) <= MAX_BLOCK_NESTING


def _all_text(doc) -> str:
    from pipeline.render.pdf.glyphs import located_text

    return " ".join(text for _, text in located_text(doc))


def test_markdown_nesting_past_the_limit_is_reported_not_dropped(tmp_path):
    # Old: 30 quotes deep, "deep words" vanished from every edition, and check said ok.
    found = messages(source(tmp_path, chapter=CHAPTER + "\n" + "> " * 30 + "deep words\n"))
    assert found == [
        f"{tmp_path / 'src' / 'chapters' / 'one.md'}:5: quotes and lists nested more than 12 deep, the limit; flatten them"
    ]


# --- linear checks -------------------------------------------------------------------------------


def test_did_you_mean_compares_a_bounded_number_of_ids(tmp_path, monkeypatch):
    # Old: every broken link was compared with every id (2,000 x 2,000 took 1:37).
    compared = []
    real = reader_module.difflib.get_close_matches

    def counting(word, possibilities, *args, **kwargs):
        compared.append(len(possibilities))
        return real(word, possibilities, *args, **kwargs)

    monkeypatch.setattr(reader_module.difflib, "get_close_matches", counting)
    sections = "".join(f"## Heading number {i}\n\nText.\n\n" for i in range(1500))
    links = "".join(f"[a link](#heading-numbr-{i})\n\n" for i in range(300))
    found = messages(source(tmp_path, chapter=CHAPTER + "\n" + links + sections))
    assert len(found) == 300
    assert "did you mean '#heading-number-7'?" in found[7]
    assert sum(compared) <= 300 * MAX_HINT_CANDIDATES


def test_the_same_title_ten_thousand_times_takes_linear_id_lookups(tmp_path, monkeypatch):
    # Old: the n-th "Same" heading tried same-2 … same-n: 2,000 headings, two million lookups.
    lookups = []

    class Counting(dict):
        def __contains__(self, key):
            lookups.append(key)
            return super().__contains__(key)

    real_init = reader_module._Reader.__init__

    def init(self, *args):
        real_init(self, *args)
        self.ids = Counting()

    monkeypatch.setattr(reader_module._Reader, "__init__", init)
    doc = read_source(source(tmp_path, chapter=CHAPTER + "\n" + "## Same\n\nText.\n\n" * 2000))
    ids = [s.id for s in doc.chapters[0].sections]
    assert ids[:3] == ["same", "same-2", "same-3"] and ids[-1] == "same-2000" and len(set(ids)) == 2000
    assert len(lookups) < 10 * 2000


@pytest.mark.parametrize(
    "paragraph",
    [
        "text " + "[^" * 20_000 + "\n\n[^1]: A note.",  # old: 70 s (footnote_ref scanned to the end each time)
        "[^a" * 15_000 + "]\n\n[^1]: A note.",  # a long run that does end in ']'
        "text " + "`" * 20_000,  # old: 81 s (the code-span regex backtracked)
    ],
    ids=["open-note-refs", "one-long-run", "backticks"],
)
def test_pathological_paragraphs_take_linear_time(tmp_path, paragraph):
    start = time.perf_counter()
    try:
        read_source(source(tmp_path, chapter=CHAPTER + "\n" + paragraph + "\n"))
    except SourceError:
        pass
    assert time.perf_counter() - start < 15  # about 2 s here; quadratic was over a minute


def test_footnote_checks_still_find_what_they_found(tmp_path):
    chapter = CHAPTER + "\nA[^a] b[^nope] `[^code]` \\[^escaped] x\\[^y[^z] [^a]: not a ref.\n\n[^a]: Note.\n"
    found = messages(source(tmp_path, chapter=chapter))
    assert [m.split(": ", 1)[1] for m in found] == [
        "footnote [^nope] has no definition '[^nope]: …'",
        "footnote [^z] has no definition '[^z]: …'",
    ]


# --- size limits -------------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_without_reading_it_all(tmp_path):
    root = source(tmp_path, chapter="# One\n\n" + "word " * (MAX_TEXT_BYTES // 5 + 10))
    found = messages(root)
    assert found == [f"{root / 'chapters' / 'one.md'}:1: file larger than 8 MiB, the limit for a source file"]


# --- images ----------------------------------------------------------------------------------


def test_images_are_decoded_by_the_reader(tmp_path):
    # Old: check said ok; the DOCX then crashed (exit 3) on the truncated PNG.
    import weasyprint  # noqa: F401  (it makes Pillow lenient with truncated files, process-wide)

    data = png((64, 64))
    chapter = CHAPTER + "\n![Cut](cut.png)\n\n![Fine](fine.png)\n\n![Empty](empty.gif)\n\n![Text](notes.svg)\n"
    root = source(
        tmp_path,
        chapter=chapter,
        **{
            "chapters/cut.png": data[:60],
            "chapters/fine.png": data,
            "chapters/empty.gif": b"",
            "chapters/notes.svg": "hello",
        },
    )
    found = [m.split("one.md:", 1)[1] for m in messages(root)]
    assert found[0].startswith("5: image 'cut.png' cannot be read: ")
    assert found[1].startswith("9: image 'empty.gif' cannot be read: cannot identify image file")
    assert found[2].startswith("11: image 'notes.svg' cannot be read: not well-formed XML")
    assert len(found) == 3


# --- links: loops and confinement ----------------------------------------------------------------


def test_a_chapter_that_is_a_link_loop_is_a_message(tmp_path):
    # Old: RuntimeError("Symlink loop"), exit 3.
    root = source(tmp_path)
    (root / "chapters" / "one.md").unlink()
    (root / "chapters" / "one.md").symlink_to("two.md")
    (root / "chapters" / "two.md").symlink_to("one.md")
    assert messages(root) == [
        f"{root / 'paper.yaml'}:9: chapter file 'chapters/one.md' cannot be followed: its links form a loop"
    ]


def test_an_image_that_is_a_link_loop_is_a_message(tmp_path):
    root = source(tmp_path, chapter=CHAPTER + "\n![A loop](pic.png)\n")
    (root / "chapters" / "pic.png").symlink_to("pic.png")
    assert messages(root) == [
        f"{root / 'chapters' / 'one.md'}:5: image 'pic.png' cannot be followed: its links form a loop"
    ]


def test_paper_yaml_linked_from_outside_is_refused(tmp_path):
    # Old: read and published, like a chapter linked from outside would not be.
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(MINIMAL_YAML)
    root = source(tmp_path)
    (root / "paper.yaml").unlink()
    (root / "paper.yaml").symlink_to(outside)
    assert messages(root) == [f"{root / 'paper.yaml'}:1: paper.yaml is outside the source folder"]


def test_paper_yaml_linked_inside_the_source_is_fine(tmp_path):
    root = source(tmp_path)
    (root / "paper.yaml").rename(root / "meta.yaml")
    (root / "paper.yaml").symlink_to("meta.yaml")
    assert read_source(root).meta.title == "A Small Paper"


def test_a_source_folder_that_is_a_link_loop_is_a_message(tmp_path):
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    assert messages(tmp_path / "a") == [
        f"{tmp_path / 'a'}:1: the source folder cannot be followed: its links form a loop"
    ]


# --- metadata values -----------------------------------------------------------------------------

# The keys whose values are free text or names, and a value that each accepts.
META_KEYS = ("title", "subtitle", "issuer", "country", "publisher", "date", "place", "identifier", "rights")
META_KEYS += ("description", "provenance", "contents_title", "slug", "language", "keywords")
# Characters the editions' formats cannot carry, characters no font has, and ordinary ones.
AWKWARD = st.sampled_from(
    ["\0", "\x07", "\x1b", "\x7f", "\x85", "\ufffe", "\uffff", "\ud800", "\udfff", "\u2028", "\u200b", "\ufeff"]
    + ["\U0001f600", "\u0378", "\U000e0001", "&", "<", "]]>", '"', "'", "\\", "/", "..", "\t", "\n", " "]
)
VALUE = st.lists(st.one_of(AWKWARD, st.characters(), st.sampled_from(["word", "A Title", "x" * 300])), max_size=12).map(
    "".join
)


def yaml_value(text: str) -> str:
    """A YAML double-quoted scalar holding exactly text, every character escaped (so also those a
    file could not hold raw, such as lone surrogates)."""
    return '"' + "".join(ch if ch.isalnum() and ch.isascii() else f"\\U{ord(ch):08x}" for ch in text) + '"'


def paper_yaml(values: dict[str, str]) -> str:
    lines = MINIMAL_YAML.splitlines()
    for key, text in values.items():
        value = f"[{yaml_value(text)}]" if key == "keywords" else yaml_value(text)
        lines = [line for line in lines if not line.startswith(f"{key}:")] + [f"{key}: {value}"]
    return "\n".join(lines) + "\n"


def test_yaml_value_round_trips():
    for text in ("A \0 b", "\ud800", "\U0001f600 é"):
        assert yaml.safe_load(f"v: {yaml_value(text)}")["v"] == text


def run(argv, capsys) -> tuple[int, list[str]]:
    code = main(argv)
    err = capsys.readouterr().err.splitlines()
    return code, [line for line in err if not line.startswith("pipeline: ")]


@PROPERTY
@given(values=st.dictionaries(st.sampled_from(META_KEYS), VALUE, min_size=1, max_size=4))
def test_property_metadata_values_are_checked_in_paper_yaml(tmp_path_factory, capsys, values):
    """Class "metadata values with characters XML or file names cannot carry": `check` ends with 0 or
    1, and every message names paper.yaml (the old reader let U+0000, U+FFFE and lone surrogates
    through, to be reported in a template, or to crash an edition)."""
    root = tmp_path_factory.mktemp("meta")
    write_source(root, {"paper.yaml": paper_yaml(values), "chapters/one.md": CHAPTER})
    code, lines = run(["check", "--source", str(root)], capsys)
    assert code in (0, 1)
    assert all(line.startswith(f"{root / 'paper.yaml'}:") for line in lines), lines
    if code == 0:
        meta = read_source(root).meta
        for key, text in values.items():
            shown_value = meta.keywords[0] if key == "keywords" else getattr(meta, key)
            assert shown_value == text, "published exactly as written"
            lxml.etree.Element("value").text = text  # an accepted value is one XML can carry (else ValueError)


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.dictionaries(st.sampled_from(META_KEYS), VALUE, min_size=1, max_size=3))
def test_property_metadata_values_build_or_name_paper_yaml(tmp_path_factory, capsys, values):
    """The same class through a whole build: exit 0 or 1, and when 1 every message names paper.yaml
    (the old build blamed cover.xhtml:1 or book.html:1, or crashed)."""
    root = tmp_path_factory.mktemp("metabuild")
    write_source(root / "src", {"paper.yaml": paper_yaml(values), "chapters/one.md": CHAPTER})
    code, lines = run(["build", "--source", str(root / "src"), "--out", str(root / "out"), "-q"], capsys)
    assert code in (0, 1)
    assert all(line.startswith(f"{root / 'src' / 'paper.yaml'}:") for line in lines), lines


def test_a_missing_glyph_in_metadata_names_its_own_line(tmp_path, capsys):
    # Old: the line of the first raw occurrence in paper.yaml, else 1; an escaped value was line 1.
    text = MINIMAL_YAML.replace("title: A Small Paper\n", "") + 'title: "A \\U0001F600 paper"\n'
    root = source(tmp_path, text)
    code, lines = run(
        ["build", "--source", str(root), "--out", str(tmp_path / "out"), "-q", "--formats", "pdf"], capsys
    )
    assert code == 1
    assert lines == [
        f"{root / 'paper.yaml'}:9: no glyph for '\U0001f600' (U+1F600 grinning face) in the print fonts "
        "(Source Serif 4, Source Sans 3) (paper.yaml 'title')"
    ]


@pytest.mark.parametrize("char", ["\u2028", "\u2029"])
def test_a_line_separator_in_metadata_is_a_missing_glyph_at_its_line(char, tmp_path, capsys):
    # Old: skipped by the glyph check as "not drawn"; WeasyPrint drew the missing glyph and the build
    # failed at templates/pdf/book.html:1.
    text = MINIMAL_YAML.replace("issuer: Test Office", f'issuer: "Test \\u{ord(char):04X} Office"')
    root = source(tmp_path, text)
    code, lines = run(
        ["build", "--source", str(root), "--out", str(tmp_path / "out"), "-q", "--formats", "pdf"], capsys
    )
    assert code == 1
    assert len(lines) == 1 and lines[0].startswith(f"{root / 'paper.yaml'}:2: no glyph for"), lines
    assert "(paper.yaml 'issuer')" in lines[0]


def test_a_slug_is_bounded_so_its_files_can_be_named(tmp_path):
    # Old: accepted; the build died writing "<slug>.pdf" (a name over 255 bytes), exit 3.
    text = MINIMAL_YAML.replace("slug: small-paper", "slug: " + "s" * 250)
    assert messages(source(tmp_path, text)) == [
        f"{tmp_path / 'src' / 'paper.yaml'}:7: 'slug' is 250 characters long; a slug names files, so at most 200"
    ]


def test_long_titles_and_descriptions_are_not_refused(tmp_path):
    # python-docx limits core properties to 255 characters; the reader must not forbid long values.
    text = MINIMAL_YAML.replace("A Small Paper", "T" * 400) + "description: " + "d" * 1000 + "\n"
    meta = read_source(source(tmp_path, text)).meta
    assert meta.title == "T" * 400 and meta.description == "d" * 1000


def test_joining_the_text_of_a_long_paragraph_is_linear():
    # Old: each piece of text was added to a growing string (800,000 pieces: about 16 s).
    from pipeline.model import Text
    from pipeline.reader import _merge

    pieces = [Text("ab") if i % 2 else Text("\n") for i in range(800_000)]
    start = time.perf_counter()
    (joined,) = _merge(pieces)
    assert time.perf_counter() - start < 5  # a quarter of a second here
    assert joined.text == " ab" * 400_000


@pytest.mark.parametrize("char", ["\ufffe", "\uffff"])
def test_chapter_text_xml_cannot_carry_is_reported_at_its_line(tmp_path, char):
    # Old: only control characters were refused; U+FFFE passed check and broke the XML editions.
    root = source(tmp_path, chapter=CHAPTER + f"\nA {char} in the text.\n")
    assert messages(root) == [f"{root / 'chapters' / 'one.md'}:5: character U+{ord(char):04X} in the text; remove it"]


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_an_image_that_is_not_a_file_says_what_it_is(kind, tmp_path):
    # Old: "image 'fig.png' not found", though something is there.
    import os

    root = source(tmp_path, chapter="# One\n\n![A figure](fig.png)\n")
    target = root / "chapters" / "fig.png"
    if kind == "folder":
        target.mkdir()
    else:
        os.mkfifo(target)
    what = "a folder" if kind == "folder" else "a FIFO"
    assert messages(root) == [f"{root / 'chapters' / 'one.md'}:3: image 'fig.png' is {what}, not a file"]

"""The importer under hostile input (issue #14): words that look like Markdown, broken files, and
`--out` folders that hold other things. It must publish exactly the text's words, answer every bad
input with `path:line: message` and exit 1, and never delete or replace a file it did not write.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write_source
from pipeline.cli import main
from pipeline.errors import SourceError
from pipeline.importer import IMPORT_MARK, OWN_CHAPTER_RE, import_text
from pipeline.model import Para, plain_text
from pipeline.reader import read_source

# --- the class: plain text that happens to look like Markdown ---------------------------------

# Pieces that mean something to CommonMark, its footnote/attribute/table extensions, HTML or Jinja,
# mixed with words, punctuation and the importer's own markers (——, a short first sentence).
MARKUP = [
    "#", "##", "###### ", ">", "> ", "-", "- ", "--", "---", "*", "* ", "**", "***", "+", "+ ", "=", "===",
    "_", "__", "~", "~~", "~~~", "`", "``", "```", "1.", "1. ", "2)", "10. ", "|", "| a | b |", ":",
    "[", "]", "[^1]", "[^1]:", "[^note]", "[x](y)", "[x]: /y", "![a](b.png)", "<", ">", "<div>", "</div>",
    "<!--", "-->", "<http://x.org>", "<a@b.org>", "http://x.org", "{", "}", "{#id}", "{.unnumbered}",
    "{{", "}}", "{{ x }}", "{%", "%}", "{% if x %}", "{#", "#}", "\\", "\\*", "\\\\", "&", "&amp;",
    "&#123;", "&#x1F;", "&copy;", "&nbsp;", ";", "!", "?", ".", "(", ")", "(1)", "、", "1、", "——", "—",
    "$", "$$", "^", "'", '"', "“", "”", "’", "\t", " ", "  ", "\u00a0", "\u3000", "word", "Word.",
    "Keep it.", "Then", "A", "9", "x",
]  # fmt: skip
MARKUPISH = st.lists(st.sampled_from(MARKUP), min_size=1, max_size=10).map("".join)
# Any printable text too (no control characters: the reader refuses those, see textfile.py).
PRINTABLE = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\u0085"), max_size=40)
LINE = st.one_of(MARKUPISH, PRINTABLE, st.tuples(MARKUPISH, PRINTABLE, MARKUPISH).map("".join)).map(str.strip)

HEADING = re.compile(
    r"^(preface|foreword|introduction|conclusion|concluding remarks|epilogue|closing remarks"
    r"|catalogue|contents|table of contents)$|^(\d+|[一二三四五六七八九十百]+)\s*、|^[(（](\d+|[一二三四五六七八九十百]+)[)）]",
    re.I,
)


def _is_text(line: str) -> bool:
    """A line the importer reads as a paragraph, not a heading (the test's own copy of the style)."""
    return bool(line) and not HEADING.match(line)


PARAGRAPH = LINE.filter(_is_text)
TITLE = LINE.filter(_is_text).filter(lambda s: not re.match(r"^(Date:|\()", s))


@dataclass(frozen=True)
class Part:
    heading: str  # as written in the text: "preface", "2、 Title", "Conclusion"
    title: str  # as the editions show it
    paragraphs: tuple[str, ...]
    sections: tuple[tuple[str, tuple[str, ...]], ...]  # (title, paragraphs)


@st.composite
def papers(draw) -> tuple[str, str, list[Part]]:
    """A plain-text paper in the importer's style whose every title and paragraph is hostile text."""
    parts: list[Part] = []
    if draw(st.booleans()):
        parts.append(Part("preface", "preface", tuple(draw(st.lists(PARAGRAPH, min_size=1, max_size=3))), ()))
    for number in range(1, draw(st.integers(1, 3)) + 1):
        title = draw(TITLE)
        lead = tuple(draw(st.lists(PARAGRAPH, min_size=1, max_size=3)))
        sections = tuple(
            (draw(TITLE), tuple(draw(st.lists(PARAGRAPH, min_size=1, max_size=3))))
            for _ in range(draw(st.integers(0, 2)))
        )
        parts.append(Part(f"{number}、 {title}", title, lead, sections))
    if draw(st.booleans()):
        parts.append(Part("Conclusion", "Conclusion", tuple(draw(st.lists(PARAGRAPH, min_size=1, max_size=2))), ()))
    title = draw(TITLE)
    lines = [title, "Office of Tests"]
    for part in parts:
        lines += [part.heading, *part.paragraphs]
        for n, (section, paragraphs) in enumerate(part.sections, 1):
            lines += [f"({n}) {section}", *paragraphs]
    return "\n\n".join(lines) + "\n", title, parts


def _shown(text: str) -> str:
    # Runs of spaces and tabs are one space in every edition (reader._merge folds them, though only
    # outside bold text, so the model's text is folded here too).
    return re.sub(r"[ \t]+", " ", text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(papers())
def test_text_that_looks_like_markdown_imports_as_the_same_words(tmp_path_factory, paper):
    """Import -> read_source: every title and paragraph of the model is the text's line, word for word."""
    text, title, parts = paper
    files = import_text(text, "paper.txt")
    assert all(OWN_CHAPTER_RE.fullmatch(name) for name in files if name != "paper.yaml")  # --force knows them
    source = write_source(tmp_path_factory.mktemp("src"), files)
    doc = read_source(source)
    assert doc.meta.title == title and doc.meta.issuer == "Office of Tests"
    assert len(doc.chapters) == len(parts)
    for chapter, part in zip(doc.chapters, parts, strict=True):
        assert chapter.plain_title == _shown(part.title)
        assert all(isinstance(b, Para) for b in chapter.blocks), chapter.blocks
        assert [_shown(plain_text(b.inlines)) for b in chapter.blocks] == [_shown(p) for p in part.paragraphs]
        assert [s.plain_title for s in chapter.sections] == [_shown(t) for t, _ in part.sections]
        for section, (_, paragraphs) in zip(chapter.sections, part.sections, strict=True):
            assert all(isinstance(b, Para) for b in section.blocks) and not section.sections, section
            assert [_shown(plain_text(b.inlines)) for b in section.blocks] == [_shown(p) for p in paragraphs]
        assert not chapter.footnotes


MARKDOWN_LOOKING = [
    "~~~",  # a fenced code block (the old importer did not escape it: the paragraph vanished)
    "~~~ python",
    "——  Keep it. The bold lead-in after a dash and spaces.",  # `** Keep` was no bold: stars shown
    "```",
    "# Not a heading.",
    "> Not a quote.",
    "- Not a list.",
    "1. Not a list.",
    "| a | b |",
    "{#not-an-id}",
    "[^1]: not a note",
    "Read [x](y) and <div>this</div>, {{ x }} {% if %} `code` *** \\ &amp; &#123;.",
]


def test_examples_of_markdown_looking_paragraphs(tmp_path):
    """The property's class by example, each the second paragraph (where lead-ins are made)."""
    text = "Title\n\n1、 One\n\nFirst.\n\n" + "\n\n".join(MARKDOWN_LOOKING) + "\n"
    doc = read_source(write_source(tmp_path, import_text(text)))
    assert [plain_text(b.inlines) for b in doc.chapters[0].blocks] == ["First.", *map(_shown, MARKDOWN_LOOKING)]


# --- inputs that are not a paper at all ---------------------------------------------------------


NOT_PAPERS = [
    (b"", "paper.txt:1: the text is empty"),
    (b"\xef\xbb\xbf \n\t\n", "paper.txt:1: the text is empty"),
    (b"Only a title\n", "paper.txt:1: no chapters found"),
    (b"Title\n\npreface\n\nA\x00B\n", "paper.txt:5: control character U+0000"),
    (b"Title\n\npreface\n\ncaf\xe9\n", None),  # not UTF-8, and only cp1252 reads it: "café"
    (b"\xb3\xc7\xca\xd0\xc2\xcc\xb5\xd8\n", "paper.txt:1: not UTF-8 (byte 0xb3 on line 1), and it could be any of"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "paper.txt:1: not UTF-8"),
    (b"Title\n\n1\xe3\x80\x81 " + b"x" * 5000 + b"\n\nText.\n", None),  # old: exit 3, file name too long
    (b"T" * 100_000 + b"\n\npreface\n\n" + b"word. " * 200_000 + b"\n", None),  # huge lines, a huge slug
]


def test_cli_import_of_files_that_are_not_papers(tmp_path, capsys):
    """Garbage in, `path:line` out (exit 1), or a source that checks; never exit 3."""
    for number, (data, expected) in enumerate(NOT_PAPERS):
        root = tmp_path / str(number)
        root.mkdir()
        (root / "paper.txt").write_bytes(data)
        code = _import(root, "paper.txt", "out")
        err = capsys.readouterr().err
        assert "internal error" not in err, (data[:40], err)
        if expected is None:
            assert code == 0, err
            assert main(["check", "--source", str(root / "out")]) == 0
        else:
            assert code == 1 and expected in err, (data[:40], err)
            assert not (root / "out").exists()


# --- --out: never lose a file that is not the importer's ---------------------------------------

PAPER = "Title\n\nOffice\n\npreface\n\nIntro.\n\n1、 One\n\nText one.\n\n2、 Two\n\nText two.\n"
SHORTER = "Title\n\nOffice\n\npreface\n\nIntro.\n\n1、 One again\n\nNew text.\n"


def _import(cwd: Path, text: str, out: str, *flags: str) -> int:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(cwd)
        return main(["import", text, "--out", out, *flags])


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def imported(tmp_path):
    """An imported source with an editor's own files beside it: figures, notes, a .git folder."""
    (tmp_path / "paper.txt").write_text(PAPER, encoding="utf-8")
    assert _import(tmp_path, "paper.txt", "src") == 0
    src = tmp_path / "src"
    write_source(src, {"figures/map.png": b"\x89PNG", "notes.md": "mine", ".git/HEAD": "ref: main\n"})
    return src


def test_force_replaces_only_the_imported_files(imported, capsys):
    mine = {k: v for k, v in _tree(imported).items() if not k.startswith(("paper.yaml", "chapters/"))}
    (imported.parent / "paper.txt").write_text(SHORTER, encoding="utf-8")
    assert _import(imported.parent, "paper.txt", "src", "--force") == 0, capsys.readouterr().err
    after = _tree(imported)
    assert {k: v for k, v in after.items() if k in mine} == mine  # figures, notes, .git untouched
    expected = {k: v.encode() for k, v in import_text(SHORTER, "paper.txt").items()}
    assert {k: v for k, v in after.items() if k not in mine} == expected  # stale chapters of the old import gone
    assert "chapters/02-two.md" in capsys.readouterr().out  # and the user is told which


def test_force_keeps_a_chapter_file_the_editor_added(imported):
    """Even listed in contents, a chapter not named as the importer names them is the editor's."""
    (imported / "chapters" / "draft.md").write_text("# My draft\n\nMine.\n", encoding="utf-8")
    with (imported / "paper.yaml").open("a", encoding="utf-8") as handle:
        handle.write("- chapters/draft.md\n")
    assert main(["check", "--source", str(imported)]) == 0
    assert _import(imported.parent, "paper.txt", "src", "--force") == 0
    assert (imported / "chapters" / "draft.md").read_text(encoding="utf-8") == "# My draft\n\nMine.\n"


def test_force_refuses_a_folder_that_is_not_an_imported_source(tmp_path, capsys):
    (tmp_path / "paper.txt").write_text(PAPER, encoding="utf-8")
    write_source(tmp_path, {"work/notes.md": "mine", "work/.git/HEAD": "ref: main\n"})
    before = _tree(tmp_path)
    assert _import(tmp_path, "paper.txt", "work", "--force") == 1
    assert "work:1: not a source written by 'pipeline import'" in capsys.readouterr().err
    assert _tree(tmp_path) == before


def test_force_refuses_a_hand_written_source(tmp_path, capsys):
    (tmp_path / "paper.txt").write_text(PAPER, encoding="utf-8")
    write_source(tmp_path / "src", {"paper.yaml": "title: Mine\n", "chapters/00-preface.md": "# Mine\n\nMine.\n"})
    before = _tree(tmp_path)
    assert _import(tmp_path, "paper.txt", "src", "--force") == 1
    assert f"{Path('src', 'paper.yaml')}:1: not written by 'pipeline import'" in capsys.readouterr().err
    assert _tree(tmp_path) == before


def test_force_refuses_to_replace_a_file_the_earlier_import_did_not_write(imported, capsys):
    """A chapter file of the new import that exists but is not in the old contents is the editor's."""
    old = yaml.safe_load((imported / "paper.yaml").read_text(encoding="utf-8"))
    old["contents"] = [c for c in old["contents"] if "01-one" not in str(c)]
    (imported / "paper.yaml").write_text(IMPORT_MARK + "\n" + yaml.safe_dump(old), encoding="utf-8")
    before = _tree(imported)
    assert _import(imported.parent, "paper.txt", "src", "--force") == 1
    assert "01-one.md:1: exists and was not written by the earlier import" in capsys.readouterr().err
    assert _tree(imported) == before


def test_force_into_the_working_folder_keeps_the_text(tmp_path, capsys):
    """`--out .`: the old code emptied the folder, the input text included, then crashed (exit 3)."""
    (tmp_path / "paper.txt").write_text(PAPER, encoding="utf-8")
    (tmp_path / "notes.md").write_text("mine", encoding="utf-8")
    assert _import(tmp_path, "paper.txt", ".", "--force") == 1  # not an imported source
    assert "internal error" not in capsys.readouterr().err
    assert sorted(_tree(tmp_path)) == ["notes.md", "paper.txt"]
    # An empty folder holding only the text is refused without --force, then imported into with it
    (tmp_path / "notes.md").unlink()
    assert _import(tmp_path, "paper.txt", ".") == 1
    assert _import(tmp_path, "paper.txt", ".", "--force") == 1
    assert (tmp_path / "paper.txt").read_text(encoding="utf-8") == PAPER


def test_reimport_of_an_import_in_the_working_folder(tmp_path):
    (tmp_path / "paper.txt").write_text(PAPER, encoding="utf-8")
    assert _import(tmp_path, "paper.txt", "src") == 0
    (tmp_path / "paper.txt").rename(tmp_path / "src" / "paper.txt")
    assert _import(tmp_path / "src", "paper.txt", ".", "--force") == 0
    assert (tmp_path / "src" / "paper.txt").read_text(encoding="utf-8") == PAPER
    assert main(["check", "--source", str(tmp_path / "src")]) == 0


def test_the_text_is_never_replaced(imported, capsys):
    """A text saved where the import writes a chapter is refused, not overwritten."""
    chapter = imported / "chapters" / "01-one.md"
    chapter.write_text(PAPER, encoding="utf-8")
    assert _import(imported, str(Path("chapters", "01-one.md")), ".", "--force") == 1
    assert "is the text being imported" in capsys.readouterr().err
    assert chapter.read_text(encoding="utf-8") == PAPER


@pytest.mark.parametrize("link", ["paper.yaml", "chapters", "chapters/01-one.md"])
def test_force_never_writes_through_a_symlink(imported, tmp_path_factory, capsys, link):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "01-one.md").write_text("outside", encoding="utf-8")
    (outside / "paper.yaml").write_text("outside", encoding="utf-8")
    target = imported / link
    if target.is_dir():
        shutil.rmtree(target)
    else:
        target.unlink()
    target.symlink_to(outside / Path(link).name if link != "chapters" else outside)
    assert _import(imported.parent, "paper.txt", "src", "--force") == 1
    assert "symbolic link" in capsys.readouterr().err
    assert (outside / "01-one.md").read_text(encoding="utf-8") == "outside"
    assert (outside / "paper.yaml").read_text(encoding="utf-8") == "outside"


@pytest.mark.parametrize(
    ("setup", "out", "expected"),
    [
        (lambda root: (root / "afile").write_text("x"), "afile", "afile:1: exists and is not a folder"),
        (lambda root: (root / "afile").write_text("x"), "afile/sub", "afile:1: is a file, not a folder"),
    ],
)
def test_out_that_cannot_be_a_source_folder(tmp_path, capsys, setup, out, expected):
    (tmp_path / "paper.txt").write_text(PAPER, encoding="utf-8")
    setup(tmp_path)
    assert _import(tmp_path, "paper.txt", out) == 1
    err = capsys.readouterr().err
    assert expected in err and "internal error" not in err, err


def test_a_folder_where_the_import_writes_a_file(imported, capsys):
    (imported / "chapters" / "01-one.md").unlink()
    (imported / "chapters" / "01-one.md").mkdir()
    (imported / "chapters" / "01-one.md" / "mine.txt").write_text("mine")
    assert _import(imported.parent, "paper.txt", "src", "--force") == 1
    assert "01-one.md:1: is a folder, not a file" in capsys.readouterr().err
    assert (imported / "chapters" / "01-one.md" / "mine.txt").read_text() == "mine"


def test_a_file_where_the_import_writes_a_folder(imported, capsys):

    shutil.rmtree(imported / "chapters")
    (imported / "chapters").write_text("mine")
    assert _import(imported.parent, "paper.txt", "src", "--force") == 1
    assert f"{Path('src', 'chapters')}:1: is a file, not a folder" in capsys.readouterr().err
    assert (imported / "chapters").read_text() == "mine"


def test_a_disk_error_while_writing_is_a_message(imported, capsys, monkeypatch):
    """A full disk (or an unwritable folder: the tests may run as root) -> path:line, exit 1, old files kept."""
    import os

    before = _tree(imported)
    real = os.replace

    def full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    (imported.parent / "paper.txt").write_text(SHORTER, encoding="utf-8")
    assert _import(imported.parent, "paper.txt", "src", "--force") == 1
    monkeypatch.setattr(os, "replace", real)
    err = capsys.readouterr().err
    assert "No space left on device" in err and "internal error" not in err, err
    assert _tree(imported) == before  # nothing half-written, no temporary files left


def test_the_mark_is_the_first_line_of_paper_yaml():
    assert import_text(PAPER)["paper.yaml"].startswith(IMPORT_MARK + "\n")
    with pytest.raises(SourceError):
        import_text("")


# --- `pipeline templates DIR --force` ----------------------------------------------------------


def test_templates_force_keeps_foreign_files_and_never_writes_through_a_symlink(tmp_path, capsys):
    theme = tmp_path / "theme"
    assert main(["templates", str(theme)]) == 0
    (theme / "notes.md").write_text("mine", encoding="utf-8")
    outside = tmp_path / "outside.css"
    outside.write_text("outside", encoding="utf-8")
    css = next(theme.rglob("*.css"))
    css.unlink()
    css.symlink_to(outside)
    assert main(["templates", str(theme), "--force"]) == 1
    assert "symbolic link" in capsys.readouterr().err
    assert outside.read_text(encoding="utf-8") == "outside"
    css.unlink()
    assert main(["templates", str(theme), "--force"]) == 0
    assert (theme / "notes.md").read_text(encoding="utf-8") == "mine" and css.is_file()


def test_templates_into_a_file_or_a_folder_where_a_file_goes(tmp_path, capsys):
    theme = tmp_path / "theme"
    assert main(["templates", str(theme)]) == 0
    css = next(theme.rglob("*.css"))
    css.unlink()
    css.mkdir()
    assert main(["templates", str(theme), "--force"]) == 1
    assert f"{css}:1: is a folder, not a file" in capsys.readouterr().err
    (tmp_path / "afile").write_text("x")
    assert main(["templates", str(tmp_path / "afile" / "sub")]) == 1
    assert "internal error" not in capsys.readouterr().err


# --- hostile earlier imports, dates and files ---------------------------------------------------

OURS = "chapters/00-preface.md, chapters/01-one.md, chapters/02-two.md"
NOT_OURS = "01-one.md:1: exists and was not written by the earlier import"
EARLIER_PAPER_YAML = [
    # (the earlier paper.yaml after the mark, the expected message or None for a clean re-import)
    (f"contents: [{OURS}, ../outside.md, /tmp/outside.md, chapters/../../outside.md, notes.md/../../x.md]", None),
    (f"contents: [{OURS}, {{file: ../outside.md}}, {{file: notes.md}}, notes.md, figures]", None),
    ("contents: {file: ../outside.md}", NOT_OURS),
    ("contents: [[[[[../outside.md]]]]]", NOT_OURS),
    ("a: &a [1, 1, 1, 1]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\ncontents: [*c, *c, *c]", NOT_OURS),
    ("contents: [", "paper.yaml:3: cannot read the earlier import's contents"),
    ("contents: !!python/object:os.system x", "paper.yaml:2: cannot read the earlier import's contents"),
    ("contents: " + "[" * 5000 + "]" * 5000, "paper.yaml:1: cannot read the earlier import's contents"),
]


def test_force_over_a_hostile_earlier_paper_yaml(imported, capsys):
    """Whatever the earlier paper.yaml lists, nothing outside the folder or beside the import goes."""
    outside = imported.parent / "outside.md"
    outside.write_text("outside", encoding="utf-8")
    for tail, expected in EARLIER_PAPER_YAML:
        (imported / "paper.yaml").write_text(f"{IMPORT_MARK}\n{tail}\n", encoding="utf-8")
        before = _tree(imported)
        code = _import(imported.parent, "paper.txt", "src", "--force")
        err = capsys.readouterr().err
        assert "internal error" not in err, (tail, err)
        if expected is None:
            assert code == 0, (tail, err)
        else:
            assert code == 1 and expected in err, (tail, err)
            assert _tree(imported) == before
        assert outside.read_text(encoding="utf-8") == "outside"
        assert (imported / "notes.md").read_text(encoding="utf-8") == "mine"
        assert (imported / "figures" / "map.png").read_bytes() == b"\x89PNG"
    (imported / "paper.yaml").write_bytes(IMPORT_MARK.encode() + b"\ntitle: caf\xe9\n")
    assert _import(imported.parent, "paper.txt", "src", "--force") == 1
    assert "paper.yaml:2: not UTF-8 (byte 0xe9)" in capsys.readouterr().err


IMPOSSIBLE_DATES = [
    ("Beijing, March 99 (Xinhua) - A paper.", "paper.txt:3: 'March 99, 1970' is not a date"),
    ("Date: 2023-13-45 Clicks:0", "paper.txt:3: 'Date: 2023-13-45' is not a date"),
    ("(March 0000)", "paper.txt:3: 'March 0000' is not a date"),
    ("Beijing, February 29 (Xinhua) - A paper.\n\n(March 2023)", "paper.txt:3: 'February 29, 2023' is not a date"),
]


def test_dates_that_do_not_exist_are_the_texts_fault(tmp_path, capsys):
    """Old: ValueError, exit 3. New: the line of the date, exit 1 (the importer cannot guess the date)."""
    for header, expected in IMPOSSIBLE_DATES:
        (tmp_path / "paper.txt").write_text(f"Title\n\n{header}\n\n1、 One\n\nText.\n", encoding="utf-8")
        assert _import(tmp_path, "paper.txt", "out") == 1
        err = capsys.readouterr().err
        assert expected in err, err
    leap = "Title\n\nDate: 2024-02-03 Clicks:0\n\nBeijing, February 29 (Xinhua) - A paper.\n\n1、 One\n\nText.\n"
    assert yaml.safe_load(import_text(leap)["paper.yaml"])["released"] == "2024-02-29"


def test_a_text_that_is_no_regular_file_or_too_big(tmp_path, capsys):
    """/dev/zero was read for ever; a device, a pipe or a text over the limit is a message instead."""
    from pipeline.textfile import MAX_TEXT_BYTES

    assert _import(tmp_path, "/dev/null", "out") == 1
    assert "/dev/null:1: is a device, not a regular file" in capsys.readouterr().err
    with open(tmp_path / "big.txt", "wb") as handle:
        handle.truncate(MAX_TEXT_BYTES + 1)  # sparse: no disk used
    assert _import(tmp_path, "big.txt", "out") == 1
    assert "big.txt:1: file larger than 8 MiB, the limit for a source file" in capsys.readouterr().err


def test_out_names_the_file_system_refuses(tmp_path, capsys):
    (tmp_path / "paper.txt").write_text(PAPER, encoding="utf-8")
    assert _import(tmp_path, "paper.txt", "x" * 300) == 1
    assert main(["templates", str(tmp_path / ("x" * 300))]) == 1
    err = capsys.readouterr().err
    assert "File name too long" in err and "internal error" not in err, err


# The class of the data loss: any files an editor keeps in an imported source, any re-import.
FOREIGN_NAME = st.lists(
    st.sampled_from(["chapters", ".git", "figures", "notes", "a", ".hidden", "01-one-again.md", "03-three.md", "x.md"]),
    min_size=1,
    max_size=3,
).map("/".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(FOREIGN_NAME, st.binary(max_size=8), max_size=6), st.sampled_from([PAPER, SHORTER]))
def test_force_never_loses_a_foreign_file(tmp_path_factory, foreign, again):
    root = tmp_path_factory.mktemp("foreign")
    (root / "paper.txt").write_text(PAPER, encoding="utf-8")
    assert _import(root, "paper.txt", "src") == 0
    src = root / "src"
    mine = {}
    for name, data in foreign.items():
        path = src / name
        if any(p.exists() and not p.is_dir() for p in path.parents) or path.exists():
            continue  # a folder of another file, or a file the import wrote
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        mine[name] = data
    mine = {name: data for name, data in mine.items() if (src / name).is_file()}
    before = _tree(src)
    (root / "paper.txt").write_text(again, encoding="utf-8")
    code = _import(root, "paper.txt", "src", "--force")
    after = _tree(src)
    assert code in (0, 1)
    if code == 1:
        assert after == before
    else:
        assert {name: after.get(name) for name in mine} == mine
        expected = import_text(again, "paper.txt")
        assert {name: after[name] for name in expected} == {k: v.encode() for k, v in expected.items()}

"""Every variant of the white-paper style imports to its structure and builds whole in every edition.

The corpus (tests/importer_corpus/) is written for these tests: section titles repeated across
chapters; an English edition ("I."/"1.", Foreword, Contents, Epilogue, sentences that open like
headings); no catalogue (Introduction, chapters without sections); a Chinese original ("一、"/"（一）",
前言, 目录, 结束语, full-width punctuation, no spaces). Each is also imported from another encoding.
The round-trip property over generated papers of every style is here with few examples and in
test_fuzz.py with many.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import lxml.etree
import lxml.html
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write_source
from paperstyles import PAPERS, expected_structure, structure_of, text_of
from pipeline.build import build
from pipeline.cli import main
from pipeline.encoding import decode_any
from pipeline.errors import Collector, SourceError
from pipeline.importer import import_paper, import_text
from pipeline.look import load
from pipeline.model import plain_text
from pipeline.paperstyle import fit
from textcheck import expected_pieces, missing_in_order, pdf_text

CORPUS = Path(__file__).parent / "importer_corpus"
XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Variant:
    headings: tuple[str, ...]  # every heading as the editions show it, in order
    numbering: dict | None  # paper.yaml's `numbering`, None: the default (left to the theme)
    language: str = "en"
    catalogue: str = ""
    encoding: str = "cp1252"  # another encoding the text is imported from


VARIANTS = {
    "repeated-titles": Variant(
        ("preface", "I. Protect the sources", "(1) Background", "(2) Measures", "II. Build the networks",
         "(1) Background", "(2) Measures", "Conclusion"),
        None,
        catalogue="catalogue",
        encoding="gb18030",  # "1、" is no cp1252 character
    ),
    "english-edition": Variant(
        ("Foreword", "I. Plan the network", "1. Start from the map", "2. Ask the towns", "II. Build with care",
         "1. Choose the materials", "III. Keep the roads open", "Epilogue"),
        {"chapters": "upper-roman", "sections": "arabic", "section_format": "{}."},
        catalogue="Contents",
    ),
    "no-catalogue": Variant(
        ("Introduction", "I. Plant more trees", "II. Fight the fires", "III. Share the wood", "Conclusion"),
        None,
        encoding="utf_16",
    ),
    "chinese": Variant(
        ("前言", "一、规划先行", "二、建设有序", "（一）背景", "（二）公园建设", "三、共建共享", "（一）背景",
         "（二）市民参与", "结束语"),
        {"chapters": "cjk-ideographic", "sections": "cjk-ideographic", "chapter_format": "{}、",
         "section_format": "（{}）"},
        language="zh-Hans",
        catalogue="目录",
        encoding="gb18030",
    ),
}  # fmt: skip
# A line that is a heading's label as the text writes it: "1、 ", "I. ", "(1) ", "一、", "（一）".
WRITTEN_LABEL = re.compile(r"^([0-9IVX一二三四五六七八九十]+[、.]|[(（][0-9一二三四五六七八九十]+[)）])\s*$")


def _text(name: str) -> str:
    return (CORPUS / f"{name}.txt").read_text(encoding="utf-8")


def _body_lines(name: str) -> list[str]:
    """The lines of the text's body: from the first heading's last appearance (after any catalogue)."""
    lines = [line.strip() for line in _text(name).splitlines() if line.strip()]
    first = VARIANTS[name].headings[0]
    start = max(i for i, line in enumerate(lines) if line == first)
    return lines[start:]


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """Each variant imported into a source folder: {name: (source folder, Document, Guess)}."""
    out = {}
    for name in VARIANTS:
        result = import_paper(_text(name), f"{name}.txt")
        source = write_source(tmp_path_factory.mktemp(name) / "source", result.files)
        out[name] = (source, load(source)[0], result.guess)
    return out


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_each_variant_imports_to_its_structure(imported, name):
    _source, doc, guess = imported[name]
    variant = VARIANTS[name]
    assert tuple(s.heading_text for s in doc.sections()) == variant.headings
    assert doc.meta.language == variant.language
    assert (doc.meta.contents_title if variant.catalogue else "") == variant.catalogue
    meta = yaml.safe_load((_source / "paper.yaml").read_text(encoding="utf-8"))
    assert meta.get("numbering") == variant.numbering
    assert guess.chapters == sum(1 for c in doc.chapters if c.numbered)
    assert guess.sections == sum(len(c.sections) for c in doc.chapters)
    assert guess.lead_ins == sum(1 for p in doc.paragraphs() if p.lead_in)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_each_variant_keeps_every_line_of_its_body_in_order(imported, name):
    """Each body line is the next paragraph, word for word, or the next heading after its label."""
    _source, doc, _guess = imported[name]
    pieces = expected_pieces(doc)
    lines = _body_lines(name)
    assert len(lines) == len(pieces)
    for line, (what, text) in zip(lines, pieces, strict=True):
        if what == "paragraph":
            assert line == text
        else:
            assert line.endswith(text) and (line == text or WRITTEN_LABEL.match(line[: -len(text)])), (line, text)


def test_repeated_section_titles_keep_the_catalogue_apart_from_the_body():
    """Old code: "section '(1) Background' comes before any chapter" (the catalogue ended at the first
    repeated entry, the second "(1) Background", so the body started inside the catalogue)."""
    files = import_text(_text("repeated-titles"), "repeated-titles.txt")
    chapters = [files[name] for name in sorted(files) if name.endswith(".md")]
    assert [c.splitlines()[0] for c in chapters] == [
        "# preface",
        "# Protect the sources",
        "# Build the networks",
        "# Conclusion",
    ]
    assert chapters[1].count("## Background") == chapters[2].count("## Background") == 1


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_each_variant_imports_from_another_encoding(tmp_path, capsys, name):
    variant = VARIANTS[name]
    text = _text(name)  # each holds characters beyond ASCII ("—", "“”", "’"; Chinese)
    (tmp_path / "paper.txt").write_bytes(text.encode(variant.encoding))
    assert main(["import", str(tmp_path / "paper.txt"), "--out", str(tmp_path / "src")]) == 0
    said = capsys.readouterr().out
    assert f"not UTF-8; read as {variant.encoding} (detected)" in said
    assert "  numbering   " in said
    doc = load(tmp_path / "src")[0]
    assert tuple(s.heading_text for s in doc.sections()) == variant.headings
    assert [plain_text(p.inlines) for p in doc.paragraphs()][0] in text


def test_the_summary_says_what_was_guessed(tmp_path, capsys):
    (tmp_path / "paper.txt").write_text(_text("chinese"), encoding="utf-8")
    assert main(["import", str(tmp_path / "paper.txt"), "--out", str(tmp_path / "src")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("imported ") and not any("UTF-8" in line for line in out)
    assert out[2:] == [
        "  language    zh-Hans",
        "  preface     前言",
        "  chapters    3",
        "  sections    4 (1 chapter has none)",
        "  lead-ins    2 (bold opening sentences; check them)",
        "  conclusion  结束语",
        "  catalogue   '目录', dropped: the editions generate the contents",
        "  numbering   一、 / （一） (in paper.yaml)",
    ]


def test_a_text_whose_encoding_cannot_be_told_is_refused(tmp_path, capsys):
    (tmp_path / "paper.txt").write_bytes("城市绿地".encode("gb18030"))
    assert main(["import", str(tmp_path / "paper.txt"), "--out", str(tmp_path / "src")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{tmp_path / 'paper.txt'}:1: not UTF-8") and "--encoding" in err
    assert not (tmp_path / "src").exists()
    assert main(["import", str(tmp_path / "paper.txt"), "--out", str(tmp_path / "src"), "--encoding", "gb18030"]) == 1
    assert "no chapters found" in capsys.readouterr().err  # read as 城市绿地 this time: a title alone


# --- the editions --------------------------------------------------------------------------------


def _html(path: Path) -> tuple[str, list[str]]:
    main_element = lxml.html.parse(str(path)).getroot().body.find(".//main")
    headings = [
        section.xpath("(./h2 | ./h3 | ./h4 | ./div/h2 | ./div/h3 | ./div/h4)[1]")[0]  # the web's div.heading
        for section in main_element.iter("section")
        if "level" in (section.get("class") or "")
    ]
    return main_element.text_content(), [h.text_content() for h in headings]


def _epub(path: Path) -> tuple[str, list[str]]:
    texts, headings = [], []
    with zipfile.ZipFile(path) as z:
        for name in sorted(n for n in z.namelist() if n.startswith("EPUB/part-")):
            root = lxml.etree.fromstring(z.read(name))
            texts.append(" ".join(root.find(f"{XHTML}body").itertext()))
            for section in root.iter(f"{XHTML}section"):
                if "level" in (section.get("class") or ""):
                    heading = next(child for child in section if child.tag.startswith(XHTML + "h"))
                    headings.append("".join(heading.itertext()))
    return "\n".join(texts), headings


def _docx(path: Path) -> tuple[str, list[str]]:
    paragraphs = docx.Document(str(path)).paragraphs
    headings = [p.text for p in paragraphs if p.style.name.startswith("Heading")]
    return "\n".join(p.text for p in paragraphs), headings


EXTRACT = {"html": _html, "epub": _epub, "docx": _docx}


def _edition(built: Path, doc, fmt: str) -> Path:
    return built / "index.html" if fmt == "html" else built / f"{doc.meta.slug}.{fmt}"


def _missing_characters(doc, text: str) -> list[str]:
    """For text without spaces between words (Chinese): each heading and paragraph, whitespace aside,
    found in order in the edition's text."""
    haystack, at, missing = re.sub(r"\s+", "", text), 0, []
    for what, piece in expected_pieces(doc):
        found = haystack.find(re.sub(r"\s+", "", piece), at)
        if found < 0:
            missing.append(f"{what}: {piece[:40]}")
        else:
            at = found
    return missing


@pytest.fixture(scope="module")
def built(imported, tmp_path_factory):
    """Each variant built in the web, EPUB and DOCX editions: {name: build folder}."""
    out = {}
    for name, (source, _doc, _guess) in imported.items():
        out[name] = tmp_path_factory.mktemp(f"{name}-build")
        build(source, out[name], formats=tuple(EXTRACT))
    return out


@pytest.mark.parametrize("fmt", sorted(EXTRACT))
@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_each_variant_is_whole_in_each_edition(imported, built, name, fmt):
    _source, doc, _guess = imported[name]
    text, headings = EXTRACT[fmt](_edition(built[name], doc, fmt))
    missing = _missing_characters(doc, text) if doc.meta.language.startswith("zh") else missing_in_order(doc, text)
    assert missing == []
    assert [" ".join(h.split()) for h in headings] == list(VARIANTS[name].headings)


@pytest.mark.parametrize(
    "name",
    sorted(VARIANTS),
)
def test_each_variant_is_whole_in_the_pdf(imported, tmp_path, name):
    source, doc, _guess = imported[name]
    build(source, tmp_path, formats=("pdf",))
    text = pdf_text(_edition(tmp_path, doc, "pdf"))
    missing = _missing_characters(doc, text) if doc.meta.language.startswith("zh") else missing_in_order(doc, text)
    assert missing == []
    # Every label with its title, as the other editions show it (Chinese: the label's line break aside,
    # as Chinese has no spaces to compare).
    squeeze = (
        (lambda t: re.sub(r"\s+", "", t)) if doc.meta.language.startswith("zh") else (lambda t: " ".join(t.split()))
    )
    for heading in VARIANTS[name].headings:
        assert squeeze(heading) in squeeze(text), heading


# --- generated papers --------------------------------------------------------------------------

ROUND_TRIP = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@ROUND_TRIP
@given(paper=PAPERS)
def test_a_generated_paper_in_any_style_imports_to_its_structure(tmp_path_factory, paper):
    source = write_source(tmp_path_factory.mktemp("paper"), import_text(text_of(paper), "paper.txt"))
    doc = load(source)[0]
    assert structure_of(doc) == expected_structure(paper)
    assert doc.meta.language == ("zh-Hans" if paper.style == "chinese" else "en")


@ROUND_TRIP
@given(paper=PAPERS, encoding=st.sampled_from(["gb18030", "big5", "cp1252", "utf_16"]))
def test_a_generated_paper_in_another_encoding_reads_as_its_text_or_is_refused(paper, encoding):
    text = text_of(paper)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:  # simplified characters Big5 lacks, "、" cp1252 lacks
        return
    errors = Collector()
    decoded = decode_any(data, "paper.txt", errors, fit=fit)
    assert decoded.text == text if decoded else errors.items[0].line == 1


# --- details -------------------------------------------------------------------------------------


def test_a_catalogue_without_a_title_is_dropped_too():
    text = "Title\n\nOffice\n\npreface\n\n1、 One\n\n(1) Background\n\n2、 Two\n\n(1) Background\n\npreface\n\nP.\n\n"
    text += "1、 One\n\nO.\n\n(1) Background\n\nB.\n\n2、 Two\n\nT.\n\n(1) Background\n\nB2.\n"
    result = import_paper(text, "paper.txt")
    assert result.guess.catalogue == "(untitled)" and result.guess.chapters == 2 and result.guess.sections == 2
    assert "contents_title" not in yaml.safe_load(result.files["paper.yaml"])


def test_a_catalogue_whose_first_entry_never_comes_again_is_reported():
    text = "Title\n\ncatalogue\n\npreface\n\n1、 One\n\n1、 One\n\nText.\n"
    with pytest.raises(SourceError) as info:
        import_text(text, "paper.txt")
    assert [str(d) for d in info.value.diagnostics] == [
        "paper.txt:3: the catalogue's first entry does not come again: cannot tell where the text starts; "
        "remove the catalogue or correct its first entry"
    ]


def test_the_catalogue_ends_where_its_structure_starts_again():
    """An entry the catalogue lists twice ("preface" again before the conclusion) is no end of it: the
    body starts where the headings that follow are the catalogue's entries in order."""
    entries = ["preface", "1、 One", "(1) Background", "preface", "2、 Two", "(1) Background"]
    body = "preface\n\nP.\n\n1、 One\n\nO.\n\n(1) Background\n\nB.\n\npreface\n\nQ.\n\n2、 Two\n\nT.\n\n(1) Background\n\nC.\n"
    result = import_paper("Title\n\ncatalogue\n\n" + "\n\n".join(entries) + "\n\n" + body, "paper.txt")
    assert (result.guess.chapters, result.guess.sections, result.guess.preface) == (2, 2, "preface, preface")


def test_a_catalogue_of_the_chapters_only():
    text = "T\n\nContents\n\n1、 One\n\n2、 Two\n\n1、 One\n\n(1) A\n\nX.\n\n2、 Two\n\n(1) A\n\nY.\n"
    guess = import_paper(text, "paper.txt").guess
    assert (guess.catalogue, guess.chapters, guess.sections) == ("Contents", 2, 2)


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("II. Build with care", True),
        ("II. This line starts like a chapter and is a paragraph.", False),  # ends like a sentence
        ("IV. Out of sequence", False),  # III is the next chapter
        ("IIII. Not a numeral", False),
    ],
)
def test_an_english_editions_headings_must_count_and_not_end_like_a_sentence(line, heading):
    text = f"T\n\nI. One\n\nText.\n\n1. Part\n\nMore.\n\n{line}\n\nAfter.\n"
    doc_files = import_text(text, "paper.txt")
    chapters = [name for name in doc_files if name.endswith(".md")]
    assert len(chapters) == (2 if heading else 1)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("（2023年13月）", "paper.txt:3: '2023年13月' is not a date"),
        ("新华社北京2月30日电 白皮书。\n\n（2023年3月）", "paper.txt:3: '2023年2月30日' is not a date"),
    ],
)
def test_a_chinese_date_that_does_not_exist_is_the_texts_fault(header, message):
    with pytest.raises(SourceError) as info:
        import_text(f"标题\n\n{header}\n\n前言\n\n正文。\n", "paper.txt")
    assert any(str(d).startswith(message) for d in info.value.diagnostics), info.value


def test_a_traditional_chinese_paper_is_zh_hant():
    text = "網絡發展的新進展\n\n（2024年5月）\n\n前言\n\n這個國家的網絡發展很快，為人民帶來了實際的好處。\n\n一、規劃\n\n規劃與發展同時進行。\n"
    meta = yaml.safe_load(import_text(text, "paper.txt")["paper.yaml"])
    assert (meta["language"], meta["date"], meta["released"]) == ("zh-Hant", "2024年5月", "2024-05-01")
    assert meta["slug"] == "paper-2024-05-01" and meta["contents_title"] == "目录"

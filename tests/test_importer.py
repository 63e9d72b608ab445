"""The importer: plain-text white paper -> source folder that reads back to the same words."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SOURCE, paper_text, write_source
from pipeline.errors import SourceError
from pipeline.importer import escape, import_text
from pipeline.look import load
from pipeline.model import plain_text
from pipeline.reader import markdown

# Keys of source/paper.yaml added by hand after importing (README: "Hand edits to the imported source").
HAND_EDITED = {"rights", "keywords"}


def test_committed_source_is_the_import_of_the_bundled_text():
    files = import_text(paper_text(), "white-paper.txt")
    committed = {str(p.relative_to(SOURCE)): p for p in SOURCE.rglob("*") if p.is_file()}
    assert sorted(committed) == sorted(files)
    for name, content in files.items():
        if name == "paper.yaml":
            ours = yaml.safe_load(committed[name].read_text())
            assert set(ours) - set(yaml.safe_load(content)) <= HAND_EDITED
            assert {k: v for k, v in ours.items() if k not in HAND_EDITED} == yaml.safe_load(content)
        else:
            assert committed[name].read_text(encoding="utf-8") == content, name


def test_every_paragraph_of_the_text_is_in_the_source(doc):
    """Each body line of the received text is a heading or a paragraph of the model, word for word."""
    text = paper_text()
    body = text[text.index("preface\n\nThe Internet") :]
    ours = {" ".join(plain_text(p.inlines).split()) for p in doc.paragraphs()}
    titles = {s.plain_title for s in doc.sections()}
    for line in filter(None, (line.strip() for line in body.splitlines())):
        heading = line.split("、", 1)[-1].strip() if "、" in line[:4] else line
        if line.startswith("(") and ") " in line[:5]:
            heading = line.split(") ", 1)[1]
        assert " ".join(line.split()) in ours or heading in titles, line[:80]


OTHER_PAPER = textwrap.dedent(
    """\
    Rivers & Roads: <Policy> in "Practice" and 'Deed'

    (September 2031)

    Office of Transport

    Preface

    This paper sets out the practice of rivers & roads.

    1、 Plan the network <well> & "wisely"

    Planning is the start of it all. Everything follows from a plan.

    ——Keep people first. People come first in every plan, as they should.

    ——Keep costs down. Costs matter & must be watched.

    2、 Build the roads

    (1) Choose the routes

    Routes are chosen with care.

    Study the land. Before a road, a survey of the land is made. It takes time.

    (2) Lay the surface

    Surfaces last when laid well.

    3、 Keep the rivers clean

    Rivers need care. * stars * and _underscores_ and [brackets] and `ticks` stay as they are.

    4、 Work with neighbours

    1. This line starts like a list but is a paragraph.

    # Not a heading either.

    > Nor a quote.

    Conclusion

    Roads and rivers, kept by law, serve everyone.
    """
)


def test_another_paper_in_the_same_style(tmp_path):
    text = "\ufeff" + OTHER_PAPER.replace("\n", "\r\n")  # BOM, Windows line endings, no catalogue
    files = import_text(text)
    write_source(tmp_path, files)
    doc = load(tmp_path)[0]
    meta = doc.meta
    assert meta.title == "Rivers & Roads: <Policy> in \"Practice\" and 'Deed'"
    assert (meta.date, meta.released.isoformat(), meta.issuer) == (
        "September 2031",
        "2031-09-01",
        "Office of Transport",
    )
    assert [c.plain_title for c in doc.chapters] == [
        "Preface",
        'Plan the network <well> & "wisely"',
        "Build the roads",
        "Keep the rivers clean",
        "Work with neighbours",
        "Conclusion",
    ]
    assert [c.label for c in doc.chapters] == ["", "I.", "II.", "III.", "IV.", ""]
    assert [s.plain_title for s in doc.chapters[2].sections] == ["Choose the routes", "Lay the surface"]
    paras = [plain_text(p.inlines) for p in doc.paragraphs()]
    assert "Rivers need care. * stars * and _underscores_ and [brackets] and `ticks` stay as they are." in paras
    assert "1. This line starts like a list but is a paragraph." in paras
    assert "# Not a heading either." in paras and "> Nor a quote." in paras
    leads = [plain_text(p.lead_in.children) for p in doc.paragraphs() if p.lead_in]
    assert leads == ["Keep people first.", "Keep costs down.", "Study the land."]


def test_news_header_and_catalogue_become_metadata():
    text = (
        "Title\n\nDate: 2024-02-03 Clicks:5\n\nBeijing, January 9 (Xinhua) - The office released a paper. The full text is as follows:\n\n"
        "Title\n\n(January 2024)\n\nCountry\n\nOffice\n\ncatalogue\n\npreface\n\n1、 One\n\nConclusion\n\n"
        "preface\n\nP.\n\n1、 One\n\nO.\n\nConclusion\n\nC.\n"
    )
    meta = yaml.safe_load(import_text(text)["paper.yaml"])
    assert meta["released"] == "2024-01-09" and meta["date"] == "January 2024" and meta["place"] == "Beijing"
    assert (meta["issuer"], meta["country"], meta["contents_title"]) == ("Office", "Country", "catalogue")
    assert meta["description"] == "The office released a paper."
    assert "News page dated 2024-02-03" in meta["provenance"]
    assert len(meta["contents"]) == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "1: the text is empty"),
        ("Title\n\nJust text.\n", "3: no chapters found"),
        ("Title\n\n1、 One\n\n(1) Empty section\n\n2、 Two\n\nText.\n", "5: section 'Empty section' has no text"),
    ],
)
def test_import_problems_name_the_line(text, message):
    with pytest.raises(SourceError) as info:
        import_text(text, "paper.txt")
    assert any(str(d).startswith(f"paper.txt:{message}") for d in info.value.diagnostics), info.value


PRINTABLE = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\u0085"), min_size=1, max_size=80
).filter(lambda s: s.strip() == s and s.strip())


@settings(max_examples=400, deadline=None)
@given(PRINTABLE)
def test_escaped_text_reads_back_as_the_same_text(line):
    """Whatever a paragraph says, the Markdown the importer writes for it means exactly that text."""
    tokens = markdown().parse(escape(line))
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"], escape(line)
    text = "".join(c.content for c in tokens[1].children if c.type == "text")
    assert " ".join(text.split()) == " ".join(line.split())


def test_cli_import_refuses_a_non_empty_folder(tmp_path, capsys):
    from pipeline.cli import main

    paper = tmp_path / "paper.txt"
    paper.write_text(OTHER_PAPER)
    out = tmp_path / "out"
    assert main(["import", str(paper), "--out", str(out)]) == 0
    assert (out / "paper.yaml").is_file()
    assert main(["import", str(paper), "--out", str(out)]) == 1
    assert "not empty" in capsys.readouterr().err
    assert main(["import", str(paper), "--out", str(out), "--force"]) == 0
    assert main(["check", "--source", str(out)]) == 0
    assert Path(out / "chapters").is_dir()

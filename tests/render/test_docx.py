"""The DOCX edition: real styles from the reference document (headings, lead-ins, lists, notes, the
contents), a TOC field whose result is already written, page furniture, metadata, every paragraph,
byte-identical builds; and LibreOffice opens it, lays it out where the contents says, and converts it.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import docx
import lxml.etree
import pytest
from docxaudit import audit, to_pdf, update_indexes
from PIL import Image

from conftest import MINIMAL_YAML, ROOT, SOURCE, build_alone, write_rich_source, write_source
from pipeline.build import build, prepare
from pipeline.cli import main
from pipeline.errors import SourceError
from pipeline.model import plain_text
from pipeline.render.docx.styles import WRITTEN
from pipeline.render.docx.wml import bookmark_names
from textcheck import pdf_text

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "r": R}
REFERENCE = ROOT / "templates" / "docx" / "reference.docx"
CIVIC = ROOT / "examples" / "themes" / "civic"
SOFFICE = shutil.which("soffice")


def q(tag: str) -> str:
    prefix, name = tag.split(":")
    return f"{{{NS[prefix]}}}{name}"


# --- fixtures and helpers --------------------------------------------------------------------


@pytest.fixture(scope="module")
def paper(tmp_path_factory):
    """The bundled paper's DOCX alone, built through the real builder."""
    return build_alone("docx", tmp_path_factory.mktemp("docx"))


@pytest.fixture(scope="module")
def model():
    doc, _templates, _theme = prepare(SOURCE)  # numbered as the editions see it
    return doc


class Package:
    """The parts of a DOCX as XML."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path)

    def xml(self, name: str):
        return lxml.etree.fromstring(self.zip.read(name))

    @property
    def body(self):
        return self.xml("word/document.xml").find(q("w:body"))

    def rels(self, part: str = "word/document.xml") -> dict[str, lxml.etree._Element]:
        folder, name = part.rsplit("/", 1)
        root = self.xml(f"{folder}/_rels/{name}.rels")
        return {rel.get("Id"): rel for rel in root}

    def style_names(self) -> dict[str, str]:
        """styleId -> name."""
        return {
            s.get(q("w:styleId")): s.find(q("w:name")).get(q("w:val"))
            for s in self.xml("word/styles.xml").iter(q("w:style"))
        }


@pytest.fixture(scope="module")
def pkg(paper):
    return Package(paper)


def style_of(p, names) -> str:
    pstyle = p.find("w:pPr/w:pStyle", NS)
    return names[pstyle.get(q("w:val"))] if pstyle is not None else "Normal"


def text_of(el) -> str:
    """Shown text of an element: w:t and tabs, not field instructions."""
    out = []
    for node in el.iter(q("w:t"), q("w:tab"), q("w:br")):
        if node.tag == q("w:t"):
            out.append(node.text or "")
        else:
            out.append("\t" if node.tag == q("w:tab") else "\n")
    return "".join(out)


def text_paragraphs(pkg):
    """The body's paragraphs after the front matter (whose section ends in a paragraph's sectPr)."""
    paragraphs = list(pkg.body.iter(q("w:p")))
    front_end = next(i for i, p in enumerate(paragraphs) if p.find("w:pPr/w:sectPr", NS) is not None)
    return paragraphs[front_end + 1 :]


def fields(el):
    """(instruction, result text) of every complex field in an element, in order (not nested)."""
    found, state, instr, result = [], None, [], []
    for run in el.iter(q("w:r")):
        char = run.find(q("w:fldChar"))
        if char is not None:
            kind = char.get(q("w:fldCharType"))
            if kind == "begin" and state is None:
                state, instr, result = "instr", [], []
            elif kind == "separate" and state == "instr":
                state = "result"
            elif kind == "end" and state is not None:
                found.append(("".join(instr).strip(), "".join(result)))
                state = None
            continue
        if state == "instr":
            instr.extend(t.text or "" for t in run.iter(q("w:instrText")))
        elif state == "result":
            result.append(text_of(run))
    return found


def libreoffice_pdf(docx_path: Path, workdir: Path, fonts: bool = True) -> tuple[Path, str]:
    """Convert to PDF with LibreOffice (a fresh profile); with `fonts`, the vendored fonts are installed
    for it through fontconfig, as a reader who installed them would have. Returns the PDF and the output."""
    return libreoffice_convert(docx_path, workdir, "pdf", fonts)


def libreoffice_convert(docx_path: Path, workdir: Path, target: str, fonts: bool = True) -> tuple[Path, str]:
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) not installed: make tools")
    workdir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if fonts:
        conf = workdir / "fonts.conf"
        conf.write_text(
            '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
            '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
            f"<dir>{ROOT / 'templates' / 'fonts'}</dir><cachedir>{workdir / 'fc-cache'}</cachedir></fontconfig>"
        )
        env["FONTCONFIG_FILE"] = str(conf)
    profile = workdir / "lo-profile"
    run = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(workdir),
            str(docx_path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "Error" not in output, output  # LibreOffice exits 0 even when it cannot load the file
    result = workdir / (docx_path.stem + "." + target.split(":")[0])
    assert result.is_file() and result.stat().st_size > 1000, output
    return result, output


def pdf_pages(pdf: Path) -> list[str]:
    return [re.sub(r"\s+", " ", page).strip() for page in pdf_text(pdf).split("\f")]


# --- the reference document ------------------------------------------------------------------

# The styles the issue names, by (type, name as Word stores it).
ISSUE_STYLES = [
    ("paragraph", "Title"),
    ("paragraph", "Subtitle"),
    ("paragraph", "heading 1"),
    ("paragraph", "heading 2"),
    ("paragraph", "heading 3"),
    ("paragraph", "Body Text"),
    ("paragraph", "First Paragraph"),
    ("character", "Lead-in"),
    ("paragraph", "Block Text"),
    ("paragraph", "List Bullet"),
    ("paragraph", "List Number"),
    ("paragraph", "caption"),
    ("table", "Table"),
    ("paragraph", "footnote text"),
    ("paragraph", "toc 1"),
    ("paragraph", "toc 2"),
    ("paragraph", "toc 3"),
    ("paragraph", "header"),
    ("paragraph", "footer"),
]


def test_reference_document_has_every_style():
    ref = Package(REFERENCE)
    styles = {
        (s.get(q("w:type")), s.find(q("w:name")).get(q("w:val"))) for s in ref.xml("word/styles.xml").iter(q("w:style"))
    }
    missing = [s for s in ISSUE_STYLES if s not in styles]
    used = [(s.kind, s.name) for s in WRITTEN]
    missing += [s for s in used if s not in styles]
    assert missing == []
    # Each style is what it claims: lead-ins bold, headings on outline levels 0-2, the body serif,
    # the headings sans (the vendored families; not embedded), the TOC entries with a page tab.
    root = ref.xml("word/styles.xml")
    by_name = {s.find(q("w:name")).get(q("w:val")): s for s in root.iter(q("w:style"))}
    assert by_name["Lead-in"].find("w:rPr/w:b", NS) is not None
    for level in (1, 2, 3):
        heading = by_name[f"heading {level}"]
        assert heading.find("w:pPr/w:outlineLvl", NS).get(q("w:val")) == str(level - 1)
        assert heading.find("w:rPr/w:rFonts", NS).get(q("w:ascii")) == "Source Sans 3"
        assert by_name[f"toc {level}"].find("w:pPr/w:tabs/w:tab", NS).get(q("w:leader")) == "dot"
    defaults = root.find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS)
    assert defaults.get(q("w:ascii")) == "Source Serif 4"
    fonts = {f.get(q("w:name")): f for f in ref.xml("word/fontTable.xml")}
    assert fonts["Source Serif 4"].find("w:family", NS).get(q("w:val")) == "roman"
    assert fonts["Source Sans 3"].find("w:family", NS).get(q("w:val")) == "swiss"
    assert len(fonts["Source Serif 4"].find("w:panose1", NS).get(q("w:val"))) == 20
    # Nothing of python-docx's default template is left behind.
    names = ref.zip.namelist()
    assert not [n for n in names if "thumbnail" in n or "customXml" in n or "stylesWithEffects" in n]
    assert b"python-docx" not in ref.zip.read("docProps/core.xml")


@pytest.mark.parametrize("theme", ["builtin", "civic-templates", "civic-in-dir"])
def test_pipeline_reference_docx_makes_the_committed_reference_documents(theme, tmp_path, capsys):
    """`pipeline reference-docx` regenerates templates/docx/reference.docx and the civic theme's
    docx/reference.docx (made from its theme.yaml) byte for byte."""
    out = tmp_path / "made"
    if theme == "builtin":
        args, committed = [str(out)], REFERENCE
    elif theme == "civic-templates":
        args, committed = [str(out), "--templates", str(CIVIC)], CIVIC / "docx" / "reference.docx"
    else:  # a folder with a theme.yaml: its settings, without --templates
        out.mkdir()
        shutil.copy(CIVIC / "theme.yaml", out / "theme.yaml")
        args, committed = [str(out)], CIVIC / "docx" / "reference.docx"
    assert main(["reference-docx", *args]) == 0
    assert capsys.readouterr().out == f"wrote {out / 'docx' / 'reference.docx'}\n"
    made = out / "docx" / "reference.docx"
    assert zipfile.ZipFile(made).namelist() == zipfile.ZipFile(committed).namelist()
    assert made.read_bytes() == committed.read_bytes()


STYLES_TEMPLATE = ROOT / "templates" / "docx" / "styles.xml"


@pytest.mark.parametrize(
    "case, expected",
    [
        ("missing-folder", "{templates}:1: templates folder not found"),
        ("theme", "{templates}/theme.yaml:1: theme setting 'accent_colour' must be a colour as #rrggbb"),
        ("syntax", "{templates}/docx/styles.xml:3: template syntax:"),
        ("undefined", "{templates}/docx/styles.xml:2: template error:"),
        ("not-xml", "{templates}/docx/styles.xml:1: does not make well-formed XML:"),
        ("style", "{templates}/docx/styles.xml:1: the reference document lacks character style 'Lead-in'"),
    ],
)
def test_pipeline_reference_docx_reports_bad_templates(case, expected, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    templates = tmp_path / "theme"
    if case != "missing-folder":
        (templates / "docx").mkdir(parents=True)
    styles = templates / "docx" / "styles.xml"
    if case == "theme":
        (templates / "theme.yaml").write_text('accent_colour: "teal"\n', encoding="utf-8")
    elif case == "syntax":
        styles.write_text("<w:styles>\n\n{% if %}\n", encoding="utf-8")
    elif case == "undefined":
        styles.write_text("<w:styles>\n{{ nothing.here }}\n", encoding="utf-8")
    elif case == "not-xml":
        styles.write_text("<w:styles>{{ fonts.body }}</w:styles", encoding="utf-8")
    elif case == "style":
        text = STYLES_TEMPLATE.read_text(encoding="utf-8")
        assert '{% call style("LeadIn"' in text, "the line this test removes has moved"
        kept = [line for line in text.splitlines(keepends=True) if 'style("LeadIn"' not in line]
        styles.write_text("".join(kept), encoding="utf-8")
    assert main(["reference-docx", str(tmp_path / "out"), "--templates", "theme"]) == 1
    err = capsys.readouterr().err
    assert expected.format(templates="theme") in err, err
    assert "Traceback" not in err and "internal error" not in err
    assert not (tmp_path / "out").exists()


def test_children_go_where_the_schema_wants_them():
    """One table of the schema's child order (ooxml.CHILD_ORDER) places what the edition adds to a
    reference document's elements: Word refuses a document whose children are out of order."""
    from pipeline.render.docx.ooxml import W_NS, add, insert_child
    from pipeline.render.docx.sections import set_page_numbers

    def names(el):
        return [lxml.etree.QName(c).localname for c in el if isinstance(c.tag, str)]  # not comments

    w14 = "http://schemas.microsoft.com/office/word/2010/wordml"
    sectpr = lxml.etree.fromstring(f'<w:sectPr xmlns:w="{W_NS}"><w:pgSz/><w:pgMar/><w:cols/><w:docGrid/></w:sectPr>')
    set_page_numbers(sectpr, "decimal")
    assert names(sectpr) == ["pgSz", "pgMar", "pgNumType", "cols", "docGrid"]
    settings = lxml.etree.fromstring(
        f'<w:settings xmlns:w="{W_NS}" xmlns:w14="{w14}"><w:zoom/><w14:docId/><!-- x --><w:compat/></w:settings>'
    )
    insert_child(settings, lxml.etree.Element(q("w:footnotePr")))
    assert names(settings) == ["zoom", "docId", "footnotePr", "compat"]
    rpr = lxml.etree.Element(q("w:rPr"))
    for tag in ("i", "b", "rStyle", "lang"):
        add(rpr, tag)
    assert names(rpr) == ["rStyle", "b", "i", "lang"]


def test_a_designers_reference_document_is_used(tmp_path, small_source):
    """A reference.docx in the templates folder wins: its styles reach the edition unchanged."""
    theme = tmp_path / "theme" / "docx"
    theme.mkdir(parents=True)
    ref = docx.Document(str(REFERENCE))
    ref.styles["Body Text"].font.size = docx.shared.Pt(13)
    ref.styles["heading 1"].font.name = "Designer Grotesk"
    ref.save(str(theme / "reference.docx"))
    build(small_source, tmp_path / "out", formats=("docx",), templates=tmp_path / "theme")
    out = docx.Document(str(tmp_path / "out" / "small-paper.docx"))
    assert out.styles["Body Text"].font.size == docx.shared.Pt(13)
    assert out.styles["Heading 1"].font.name == "Designer Grotesk"
    assert [p.text for p in out.paragraphs if p.style.name == "Heading 1"] == ["I. One"]


def test_without_a_reference_document_of_its_own_a_theme_restyles_the_docx(tmp_path, small_source):
    """A templates folder with a theme.yaml and no docx/reference.docx: the build makes the reference
    from the theme, the same bytes as the one `pipeline reference-docx` makes (civic's committed one)."""
    theme = tmp_path / "theme"
    theme.mkdir()
    shutil.copy(CIVIC / "theme.yaml", theme / "theme.yaml")
    build(small_source, tmp_path / "made", formats=("docx",), templates=theme)
    build(small_source, tmp_path / "civic", formats=("docx",), templates=CIVIC)
    made = (tmp_path / "made" / "small-paper.docx").read_bytes()
    assert made == (tmp_path / "civic" / "small-paper.docx").read_bytes()
    document = docx.Document(io.BytesIO(made))
    assert str(document.styles["Heading 2"].font.color.rgb) == "0B5C6B"  # civic's accent
    assert document.sections[-1].page_width == docx.shared.Twips(12240)  # letter

    # The paper's own theme settings too, and a designer's styles template.
    (small_source / "paper.yaml").write_text(
        (small_source / "paper.yaml").read_text(encoding="utf-8") + 'theme:\n  accent_colour: "#123456"\n',
        encoding="utf-8",
    )
    (theme / "docx").mkdir()
    styles = (ROOT / "templates" / "docx" / "styles.xml").read_text(encoding="utf-8")
    assert "{{ size(13.5) }}" in styles, "the size this test changes has moved"
    (theme / "docx" / "styles.xml").write_text(styles.replace("{{ size(13.5) }}", "{{ size(15) }}"), encoding="utf-8")
    build(small_source, tmp_path / "paper", formats=("docx",), templates=theme)
    heading = docx.Document(str(tmp_path / "paper" / "small-paper.docx")).styles["Heading 2"].font
    assert (str(heading.color.rgb), heading.size) == ("123456", docx.shared.Pt(15))


@pytest.mark.parametrize("content", [b"not a zip", b"", b"PK\x05\x06" + bytes(18)])
def test_a_reference_document_that_is_no_docx_is_reported(tmp_path, small_source, content):
    theme = tmp_path / "theme" / "docx"
    theme.mkdir(parents=True)
    (theme / "reference.docx").write_bytes(content)
    with pytest.raises(SourceError) as info:
        build(small_source, tmp_path / "out", formats=("docx",), templates=tmp_path / "theme")
    assert f"{theme / 'reference.docx'}:1: is not a Word document python-docx can open" in str(info.value)


def test_a_reference_document_without_a_needed_style_fails_naming_it(tmp_path, small_source):
    theme = tmp_path / "theme" / "docx"
    theme.mkdir(parents=True)
    ref = docx.Document(str(REFERENCE))
    ref.styles["Lead-in"].element.getparent().remove(ref.styles["Lead-in"].element)
    ref.save(str(theme / "reference.docx"))
    with pytest.raises(SourceError) as info:
        build(small_source, tmp_path / "out", formats=("docx",), templates=tmp_path / "theme")
    assert "character style 'Lead-in'" in str(info.value)
    assert str(theme / "reference.docx") in str(info.value)
    assert not (tmp_path / "out").exists()


# --- structure -------------------------------------------------------------------------------


def test_title_page(pkg, model):
    names = pkg.style_names()
    paragraphs = list(pkg.body.iter(q("w:p")))
    first = [(style_of(p, names), text_of(p)) for p in paragraphs[:5]]
    meta = model.meta
    assert first == [
        ("Title", meta.title),
        ("Author", meta.issuer),
        ("Author", meta.country),
        ("Date", f"{meta.place}, {meta.date}"),
        ("Imprint", meta.rights),
    ]


def test_headings_in_heading_styles_in_order_with_numbers_and_bookmarks(pkg, model):
    names = pkg.style_names()
    bookmarks = bookmark_names(model)
    found = []
    for p in text_paragraphs(pkg):
        style = style_of(p, names)
        if style.startswith("heading"):
            mark = p.find("w:bookmarkStart", NS)
            found.append((style, text_of(p), mark.get(q("w:name")) if mark is not None else None))
    expected = [(f"heading {s.level}", f"{s.label} {s.plain_title}".strip(), bookmarks[s.id]) for s in model.sections()]
    assert found == expected
    assert found[1][1].startswith("I. ") and any(t.startswith("(1) ") for _, t, _ in found)
    # Bookmark names follow Word's rules and are unique.
    names_used = [b for _, _, b in found]
    assert len(set(n.lower() for n in names_used)) == len(names_used)
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,39}", n) for n in names_used)


def test_every_paragraph_present_in_order_in_body_styles(pkg, model):
    names = pkg.style_names()
    body = [text_of(p) for p in text_paragraphs(pkg) if style_of(p, names) in ("First Paragraph", "Body Text")]
    assert body == [plain_text(p.inlines) for p in model.paragraphs()]
    # The first paragraph after a heading is "First Paragraph", the others "Body Text".
    styles = [style_of(p, names) for p in text_paragraphs(pkg)]
    for before, this in zip(styles, styles[1:], strict=False):
        if this == "Body Text":
            assert before in ("First Paragraph", "Body Text")
        if before.startswith("heading") and not this.startswith("heading"):
            assert this == "First Paragraph"


def test_lead_ins_have_their_character_style_and_nothing_is_formatted_directly(pkg, model):
    names = pkg.style_names()
    lead_runs = [
        text_of(r)
        for r in pkg.body.iter(q("w:r"))
        if (s := r.find("w:rPr/w:rStyle", NS)) is not None and names[s.get(q("w:val"))] == "Lead-in"
    ]
    expected = [plain_text(p.lead_in.children) for p in model.paragraphs() if p.lead_in]
    assert lead_runs == expected and len(expected) > 20
    # No direct fonts, sizes, colours or bold in the text: the styles do it all.
    for rpr in pkg.body.iter(q("w:rPr")):
        assert [lxml.etree.QName(c).localname for c in rpr] in (["rStyle"], []), lxml.etree.tostring(rpr)
    for ppr in pkg.body.iter(q("w:pPr")):
        assert {lxml.etree.QName(c).localname for c in ppr} <= {"pStyle", "sectPr"}, lxml.etree.tostring(ppr)


def test_contents_is_a_toc_field_with_its_result_written(pkg, model):
    names = pkg.style_names()
    paragraphs = list(pkg.body.iter(q("w:p")))
    heading = next(i for i, p in enumerate(paragraphs) if style_of(p, names) == "TOC Heading")
    assert text_of(paragraphs[heading]) == model.meta.contents_title
    toc = [p for p in paragraphs[heading + 1 :] if style_of(p, names).startswith("toc ")]
    # One field spans the entries: begin + TOC instruction in the first, end in the last.
    first_runs = toc[0].findall("w:r", NS)
    assert first_runs[0].find("w:fldChar", NS).get(q("w:fldCharType")) == "begin"
    assert re.fullmatch(r'TOC \\o "1-3" \\h \\z \\u', first_runs[1].find("w:instrText", NS).text.strip())
    assert first_runs[2].find("w:fldChar", NS).get(q("w:fldCharType")) == "separate"
    assert toc[-1].findall("w:r", NS)[-1].find("w:fldChar", NS).get(q("w:fldCharType")) == "end"
    # The result: every heading, at its level's style, linked to its bookmark, with a PAGEREF to it.
    bookmarks = {b.get(q("w:name")) for b in pkg.body.iter(q("w:bookmarkStart"))}
    entries, pages = [], []
    for p in toc:
        link = p.find("w:hyperlink", NS)
        anchor = link.get(q("w:anchor"))
        assert anchor in bookmarks
        ((instruction, page),) = fields(link)
        assert instruction == f"PAGEREF {anchor} \\h"
        entries.append((style_of(p, names), text_of(link).split("\t")[0]))
        pages.append(int(page))
    assert entries == [(f"toc {s.level}", f"{s.label} {s.plain_title}".strip()) for s in model.sections()]
    assert pages[0] == 1 and pages == sorted(pages) and pages[-1] > 20
    # Word is not asked to update fields on opening (see the renderer's docstring).
    assert pkg.xml("word/settings.xml").find("w:updateFields", NS) is None
    assert first_runs[0].find("w:fldChar", NS).get(q("w:dirty")) is None
    # The page numbers' tab is at the right margin and the entries have no right indent: where
    # LibreOffice's update puts the tab (it hides what follows a tab beyond the right indent).
    styles = {s.get(q("w:styleId")): s for s in pkg.xml("word/styles.xml").iter(q("w:style"))}
    sectpr = pkg.body.find("w:sectPr", NS)
    width = int(sectpr.find("w:pgSz", NS).get(q("w:w"))) - sum(
        int(sectpr.find("w:pgMar", NS).get(q(f"w:{side}"))) for side in ("left", "right")
    )
    for p in toc:
        style = styles[p.find("w:pPr/w:pStyle", NS).get(q("w:val"))]
        (tab,) = style.findall("w:pPr/w:tabs/w:tab", NS)
        assert (tab.get(q("w:val")), int(tab.get(q("w:pos")))) == ("right", width)
        assert int(style.find("w:pPr/w:ind", NS).get(q("w:right"), "0")) == 0


def test_a_font_no_reader_has_leaves_the_contents_to_be_updated(tmp_path):
    """A theme naming a family that is not vendored: the reader sets it in a substitute, so no
    estimate is worth showing; the entries have no numbers and the field asks to be updated."""
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "theme.yaml").write_text("body_font: Georgia\n", encoding="utf-8")
    src = write_rich_source(tmp_path / "src")
    build(src, tmp_path / "out", formats=("docx",), templates=theme)
    pkg = Package(tmp_path / "out" / "small-paper.docx")
    names = pkg.style_names()
    toc = [p for p in pkg.body.iter(q("w:p")) if style_of(p, names).startswith("toc ")]
    assert len(toc) == 5
    assert [fields(p) for p in toc[1:-1]] == [[]] * 3  # no PAGEREF: the titles alone
    begin = toc[0].find("w:r/w:fldChar", NS)
    assert begin.get(q("w:fldCharType")) == "begin" and begin.get(q("w:dirty")) == "true"
    assert pkg.xml("word/settings.xml").find("w:updateFields", NS).get(q("w:val")) == "true"
    # The vendored sans of the headings still travels; Georgia does not (it is no file of ours).
    table = {f.get(q("w:name")): f for f in pkg.xml("word/fontTable.xml").iter(q("w:font"))}
    assert table["Source Sans 3"].find("w:embedBold", NS) is not None
    assert not [c for c in table["Georgia"] if lxml.etree.QName(c).localname.startswith("embed")]


# --- embedded fonts --------------------------------------------------------------------------


def embedded_fonts(pkg) -> dict:
    """{(family, slot): the font} for every font the font table embeds, de-obfuscated."""
    from fontTools.ttLib import TTFont

    from pipeline.render.docx.embed import obfuscate

    rels = pkg.rels("word/fontTable.xml")
    found = {}
    for font in pkg.xml("word/fontTable.xml").iter(q("w:font")):
        for embed in font:
            if not lxml.etree.QName(embed).localname.startswith("embed"):
                continue
            rel = rels[embed.get(q("r:id"))]
            assert rel.get("Type").endswith("/relationships/font")
            data = pkg.zip.read("word/" + rel.get("Target"))
            key = embed.get(q("w:fontKey"))
            assert re.fullmatch(r"\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", key)
            found[font.get(q("w:name")), lxml.etree.QName(embed).localname] = TTFont(io.BytesIO(obfuscate(data, key)))
    return found


def test_obfuscation_is_the_specs():
    """ECMA-376 Part 1 §17.8.1: the GUID's bytes from its string's end, XORed over 32 bytes."""
    from pipeline.render.docx.embed import obfuscate

    key = "{00112233-4455-6677-8899-AABBCCDDEEFF}"
    data = bytes(40)
    once = obfuscate(data, key)
    assert once[:16] == bytes.fromhex("FFEEDDCCBBAA99887766554433221100") == once[16:32]
    assert once[32:] == bytes(8) and obfuscate(once, key) == data


def test_the_faces_the_text_uses_are_embedded_subset_as_truetype(pkg, model):
    fonts = embedded_fonts(pkg)
    assert set(fonts) == {
        ("Source Serif 4", "embedRegular"),
        ("Source Serif 4", "embedBold"),  # lead-ins
        ("Source Sans 3", "embedRegular"),  # the running head
        ("Source Sans 3", "embedBold"),  # headings, the contents' chapters
    }
    text = set(text_of(pkg.body))
    for (family, _slot), font in fonts.items():
        assert font["name"].getDebugName(1) == family
        assert "glyf" in font and "CFF " not in font  # TrueType outlines: what Word embeds
        cmap = font.getBestCmap()
        assert all(ord(c) in cmap for c in map(chr, range(0x20, 0x7F)))  # fields, numbers, edits
        assert len(cmap) < 200  # a subset, not the whole font
    covered = {chr(u) for font in fonts.values() for u in font.getBestCmap()}
    assert {c for c in text if not c.isspace()} <= covered
    types = {o.get("PartName"): o.get("ContentType") for o in pkg.xml("[Content_Types].xml")}
    defaults = {d.get("Extension"): d.get("ContentType") for d in pkg.xml("[Content_Types].xml")}
    assert all(
        types.get(f"/{n}", defaults.get("odttf")) == "application/vnd.openxmlformats-officedocument.obfuscatedFont"
        for n in pkg.zip.namelist()
        if n.endswith(".odttf")
    )
    settings = pkg.xml("word/settings.xml")
    assert settings.find("w:embedTrueTypeFonts", NS) is not None
    assert settings.find("w:saveSubsetFonts", NS) is not None


def test_page_furniture_two_sections(pkg, model):
    front, text = pkg.body.find("w:p/w:pPr/w:sectPr", NS), pkg.body.find("w:sectPr", NS)
    assert front.find("w:titlePg", NS) is not None and text.find("w:titlePg", NS) is None
    assert front.find("w:pgNumType", NS).get(q("w:fmt")) == "lowerRoman"
    assert text.find("w:pgNumType", NS).attrib == {q("w:fmt"): "decimal", q("w:start"): "1"}
    rels = pkg.rels()

    def story(sectpr, kind, which):
        ref = sectpr.find(f"w:{kind}Reference[@w:type='{which}']", NS)
        return pkg.xml("word/" + rels[ref.get(q("r:id"))].get("Target"))

    names = pkg.style_names()
    assert text_of(story(front, "header", "first")) == "" and text_of(story(front, "footer", "first")) == ""
    assert text_of(story(front, "header", "default")) == ""
    header = story(text, "header", "default")
    assert text_of(header) == model.meta.title and style_of(header.find("w:p", NS), names) == "header"
    for sectpr in (front, text):
        footer = story(sectpr, "footer", "default")
        assert [instr for instr, _ in fields(footer)] == ["PAGE"]
        assert style_of(footer.find("w:p", NS), names) == "footer"


def test_core_and_app_properties(paper, pkg, model):
    meta = model.meta
    props = docx.Document(str(paper)).core_properties
    assert props.title == meta.title
    assert props.subject == meta.description  # the paper has no subtitle
    assert props.author == meta.issuer and props.last_modified_by == meta.issuer
    assert props.keywords == ", ".join(meta.keywords)
    assert props.language == meta.language
    assert props.identifier == meta.identifier
    assert props.comments == meta.description
    assert props.created == props.modified == dt.datetime(2023, 3, 16, 0, 0, tzinfo=dt.UTC) == meta.timestamp
    assert b"python-docx" not in pkg.zip.read("docProps/core.xml")
    app = pkg.xml("docProps/app.xml")
    assert app.find("{*}Company").text == meta.issuer
    # The paper's language is the document's default language (spelling, hyphenation).
    lang = pkg.xml("word/styles.xml").find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert lang.get(q("w:val")) == meta.language


def test_zip_layout_and_two_builds_byte_identical(paper, tmp_path):
    with zipfile.ZipFile(paper) as z:
        infos = z.infolist()
        assert infos[0].filename == "[Content_Types].xml"
        assert {i.date_time for i in infos} == {(2023, 3, 16, 0, 0, 0)}
        assert not [i.filename for i in infos if "thumbnail" in i.filename or "comments" in i.filename]
    time.sleep(2.1)  # a clock-dependent zip stamp would show
    build(SOURCE, tmp_path / "again", formats=("docx",))
    assert (tmp_path / "again" / paper.name).read_bytes() == paper.read_bytes()


def test_source_date_epoch_sets_the_dates(tmp_path, small_source, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2024, 6, 1, 12, 30, tzinfo=dt.UTC).timestamp())))
    build(small_source, tmp_path / "out", formats=("docx",))
    path = tmp_path / "out" / "small-paper.docx"
    assert docx.Document(str(path)).core_properties.modified == dt.datetime(2024, 6, 1, 12, 30, tzinfo=dt.UTC)
    assert {i.date_time[:3] for i in zipfile.ZipFile(path).infolist()} == {(2024, 6, 1)}


# --- a sample with every kind of block ---------------------------------------------------------

RICH = {
    "paper.yaml": MINIMAL_YAML.replace("  - chapters/one.md\n", "  - chapters/one.md\n  - chapters/two.md\n")
    + "subtitle: With notes\n",
    "chapters/one.md": """\
        # One

        First paragraph with a note.[^1] And **bold *both***, `code`, a [site](https://example.org/ "Example"),
        and a [jump](#sub).

        ——**A lead-in sentence.** Then the rest, which refers to the note again.[^1] Another.[^n2]

        > A quotation.
        >
        > Quoted again.

        1. First item
        2. Second item
           - nested bullet
        3. Third

        Paragraph after the list.

        ```
        code line 1
            indented line 2
        ```

        ![A red square](images/square.png "The square")

        ---

        See [the table](#tbl-data).

        [^1]: The first note, with *emphasis*.
        [^n2]: The second note.

            Its second paragraph.
        """,
    "chapters/two.md": """\
        # Two

        {#tbl-data}
        | Year | Count |
        | --- | ---: |
        | 2021 | 10 |

        ## Sub

        5. five
        6. six

        ### Deeper

        More.
        """,
}


@pytest.fixture(scope="module")
def rich(tmp_path_factory):
    root = tmp_path_factory.mktemp("rich")
    src = write_source(root / "src", RICH)
    (src / "chapters" / "images").mkdir()
    Image.new("RGB", (300, 150), (200, 0, 0)).save(src / "chapters" / "images" / "square.png")
    build(src, root / "build", formats=("docx",))
    return root / "build" / "small-paper.docx"


def test_footnotes_are_word_footnotes(rich):
    pkg = Package(rich)
    rels = pkg.rels()
    (target,) = [r.get("Target") for r in rels.values() if r.get("Type").endswith("/footnotes")]
    assert target == "footnotes.xml"
    types = pkg.xml("[Content_Types].xml")
    overrides = {o.get("PartName"): o.get("ContentType") for o in types}
    assert overrides["/word/footnotes.xml"].endswith("wordprocessingml.footnotes+xml")
    notes = pkg.xml("word/footnotes.xml")
    by_id = {n.get(q("w:id")): n for n in notes.iter(q("w:footnote"))}
    assert by_id["-1"].get(q("w:type")) == "separator" and by_id["0"].get(q("w:type")) == "continuationSeparator"
    assert text_of(by_id["1"]).strip() == "The first note, with emphasis."
    assert [text_of(p).strip() for p in by_id["2"].iter(q("w:p"))] == ["The second note.", "Its second paragraph."]
    assert by_id["1"].find(".//w:footnoteRef", NS) is not None
    names = pkg.style_names()
    assert {style_of(p, names) for n in ("1", "2") for p in by_id[n].iter(q("w:p"))} == {"footnote text"}
    # Each note is referenced once, in order; the second mention of note 1 is its number, not a new note.
    refs = [r.get(q("w:id")) for r in pkg.body.iter(q("w:footnoteReference"))]
    assert refs == ["1", "2"]
    settings = pkg.xml("word/settings.xml")
    assert [f.get(q("w:id")) for f in settings.find("w:footnotePr", NS)] == ["-1", "0"]


def test_links_lists_figure_table_in_the_sample(rich):
    pkg = Package(rich)
    names = pkg.style_names()
    rels = pkg.rels()
    bookmarks = {b.get(q("w:name")) for b in pkg.body.iter(q("w:bookmarkStart"))}
    links = list(pkg.body.iter(q("w:hyperlink")))
    external = [rels[h.get(q("r:id"))] for h in links if h.get(q("r:id"))]
    assert [(r.get("Target"), r.get("TargetMode")) for r in external] == [("https://example.org/", "External")]
    internal = [h.get(q("w:anchor")) for h in links if h.get(q("w:anchor"))]
    assert set(internal) <= bookmarks and {"sub", "tbl_data"} <= set(internal)
    styles = [style_of(p, names) for p in pkg.body.iter(q("w:p"))]
    for expected in (
        "Block Text",
        "List Number",
        "List Bullet 2",
        "Source Code",
        "Figure",
        "caption",
        "Thematic Break",
    ):
        assert expected in styles, expected
    # Each ordered list counts from its own start: a numbering instance with a start override.
    numbering = pkg.xml("word/numbering.xml")
    starts = sorted(int(s.get(q("w:val"))) for s in numbering.iter(q("w:startOverride")))
    assert starts == [1, 5]
    # The figure: the image in the package, its alt text, a caption numbered by a SEQ field.
    (blip,) = pkg.body.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}blip")
    media = rels[blip.get(q("r:embed"))].get("Target")
    Image.open(io.BytesIO(pkg.zip.read("word/" + media))).verify()
    doc_pr = next(pkg.body.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"))
    assert doc_pr.get("descr") == "A red square"
    caption = next(p for p in pkg.body.iter(q("w:p")) if style_of(p, names) == "caption")
    assert text_of(caption) == "Figure 1. The square" and fields(caption) == [("SEQ Figure \\* ARABIC", "1")]
    # The table: the table style, a repeated header row, the cell alignment from the source.
    tbl = pkg.body.find(".//w:tbl", NS)
    assert names[tbl.find("w:tblPr/w:tblStyle", NS).get(q("w:val"))] == "Table"
    rows = tbl.findall("w:tr", NS)
    assert rows[0].find("w:trPr/w:tblHeader", NS) is not None
    assert [text_of(tc) for tc in rows[1].findall("w:tc", NS)] == ["2021", "10"]
    assert rows[1].findall("w:tc", NS)[1].find(".//w:jc", NS).get(q("w:val")) == "right"


def test_hostile_text_stays_text(tmp_path):
    src = write_source(
        tmp_path / "src",
        {
            "paper.yaml": MINIMAL_YAML,
            "chapters/one.md": "# One <b>x</b>\n\n<script>alert(1)</script> & [x](javascript:alert(2))\n",
        },
    )
    build(src, tmp_path / "out", formats=("docx",))
    pkg = Package(tmp_path / "out" / "small-paper.docx")
    text = text_of(pkg.body)
    assert "<script>alert(1)</script> & [x](javascript:alert(2))" in text and "One <b>x</b>" in text
    assert not [r for r in pkg.rels().values() if "javascript" in r.get("Target")]


# --- LibreOffice -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def paper_pdf(paper, tmp_path_factory):
    """The paper as LibreOffice lays it out with no font of ours installed: the DOCX's own."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) not installed: make tools")
    return to_pdf(paper, tmp_path_factory.mktemp("lo"))


def contents_titles(model) -> list[str]:
    return [s.heading_text for s in model.sections() if s.level <= 3]


@pytest.mark.slow
def test_libreoffice_sets_the_text_in_the_embedded_fonts(paper_pdf):
    """Without Source Serif 4 or Source Sans 3 on the machine, LibreOffice sets the text in the
    fonts the DOCX carries (pdffonts names the faces it used), and in nothing else."""
    listed = subprocess.run(["fc-list"], capture_output=True, text=True, check=True).stdout
    assert "source serif" not in listed.lower() and "source sans" not in listed.lower()
    table = subprocess.run(["pdffonts", str(paper_pdf)], capture_output=True, text=True, check=True).stdout
    used = sorted({line.split()[0].split("+", 1)[-1] for line in table.splitlines()[2:]})
    assert used == ["SourceSans3-Bold", "SourceSans3-Regular", "SourceSerif4-Bold", "SourceSerif4-Regular"]


@pytest.mark.slow
def test_libreoffice_puts_every_heading_on_the_page_the_contents_shows(paper_pdf, model):
    """Issue #16: laid out by LibreOffice from nothing but the DOCX, all 27 entries of the paper's
    contents show the page their heading is on (the printed number, read from the PDF)."""
    entries = audit(paper_pdf, contents_titles(model))
    assert len(entries) == 27
    assert [e for e in entries if not e.right] == []


@pytest.mark.slow
def test_the_rich_sample_contents_is_right_also_after_updating(tmp_path):
    """Notes, a figure, a table, code, a level-3 heading: every entry right as built, and after
    LibreOffice updates the index (which the old contents lost every number to)."""
    src = write_rich_source(tmp_path / "src")
    build(src, tmp_path / "out", formats=("docx",))
    doc, _, _ = prepare(src)
    built = tmp_path / "out" / "small-paper.docx"
    for docx_file in (built, update_indexes(built, tmp_path / "update")):
        entries = audit(to_pdf(docx_file, tmp_path / f"lo-{docx_file.stem}"), contents_titles(doc))
        assert len(entries) == 5 and [e for e in entries if not e.right] == [], docx_file.name


@pytest.mark.slow
def test_updating_the_contents_in_libreoffice_keeps_its_numbers(paper, model, tmp_path):
    """Tools > Update > Update All, done headless by a Basic macro, then saved: the contents is
    regenerated by LibreOffice's own layout, and every entry still shows the right page."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) not installed: make tools")
    updated = update_indexes(paper, tmp_path / "update")
    entries = audit(to_pdf(updated, tmp_path / "pdf"), contents_titles(model))
    assert len(entries) == 27
    assert [e for e in entries if not e.right] == []


@pytest.mark.slow
def test_libreoffice_converts_the_paper_with_running_heads_and_page_numbers(paper_pdf, model):
    """LibreOffice opens the file and converts it; every page of the text carries the running head
    and its number."""
    pages = pdf_pages(paper_pdf)
    assert pages[0].startswith(re.sub(r"\s+", " ", model.meta.title)[:30])
    assert "............" in pages[1] and model.meta.contents_title in pages[1]
    first = contents_titles(model)[0]
    start = next(i for i, page in enumerate(pages) if i > 0 and "......" not in page and first in page)
    for number, page in enumerate(pages[start:-1], 1):
        if page:
            assert model.meta.title in page and page.endswith(str(number)), (number, page[-80:])


@pytest.mark.slow
def test_libreoffice_shows_notes_figure_and_table_of_the_sample(rich, tmp_path):
    pdf, _ = libreoffice_pdf(rich, tmp_path, fonts=False)  # also without the fonts: substitutes, no error
    text = " ".join(pdf_pages(pdf))
    for piece in (
        "The first note, with emphasis.",
        "Its second paragraph.",
        "Figure 1. The square",
        "2021 10",
        "1. First item",
    ):
        assert piece in text, piece


@pytest.mark.slow
def test_a_reference_document_saved_by_libreoffice_works(tmp_path):
    """A designer opens reference.docx in LibreOffice, saves it as DOCX (LibreOffice renames style ids:
    "Contents1", "TextBody"; keeps its own "Caption" beside Word's "caption"), and builds with it."""
    saved, _ = libreoffice_convert(REFERENCE, tmp_path / "saved", "docx:MS Word 2007 XML")
    theme = tmp_path / "theme" / "docx"
    theme.mkdir(parents=True)
    shutil.copy(saved, theme / "reference.docx")
    src = write_source(tmp_path / "src", RICH)
    (src / "chapters" / "images").mkdir()
    Image.new("RGB", (300, 150), (200, 0, 0)).save(src / "chapters" / "images" / "square.png")
    build(src, tmp_path / "out", formats=("docx",), templates=tmp_path / "theme")
    pkg = Package(tmp_path / "out" / "small-paper.docx")
    ids = {
        p.find("w:pPr/w:pStyle", NS).get(q("w:val"))
        for p in pkg.body.iter(q("w:p"))
        if p.find("w:pPr/w:pStyle", NS) is not None
    }
    names = pkg.style_names()
    assert {"Contents1", "TextBody"} <= ids  # LibreOffice's ids, found by the styles' names
    caption = next(p for p in pkg.body.iter(q("w:p")) if text_of(p).startswith("Figure 1."))
    assert names[caption.find("w:pPr/w:pStyle", NS).get(q("w:val"))] == "caption"  # Word's, not LibreOffice's
    assert [r.get(q("w:id")) for r in pkg.body.iter(q("w:footnoteReference"))] == ["1", "2"]
    pdf, _ = libreoffice_pdf(tmp_path / "out" / "small-paper.docx", tmp_path / "pdf")
    assert "The first note, with emphasis." in " ".join(pdf_pages(pdf))

"""A paper in Chinese, typeset as Chinese in every edition.

The sample is the Chinese original of the importer corpus (tests/importer_corpus/chinese.txt: "一、"
chapters, "（一）" sections, full-width punctuation, no spaces), imported and built as an editor would.
Its text arriving whole in each edition is test_import_variants.py's; here: the PDF's fonts (Noto CJK,
from `make fonts-cjk`, subset, nothing from the machine), its line breaking, its reproducibility; the
East Asian font slots of the DOCX and LibreOffice laying them out; the web edition's CJK font stack and
language; the EPUB's xml:lang; and the message when the fonts are not installed.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
from render.test_docx import libreoffice_pdf
from render.test_pdf import fonts

from conftest import write_source
from pipeline.build import build
from pipeline.cli import main
from pipeline.importer import import_text
from pipeline.makevars import make_variables
from pipeline.templates import BUILTIN

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = Path(__file__).parent / "importer_corpus" / "chinese.txt"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Marks a line of Chinese must not start with (closing punctuation) or end with (opening), as the
# Unicode line-breaking rules Pango follows forbid: the core of Chinese line breaking (禁则).
NO_LINE_START = "，。、；：？！）》」』”’"
NO_LINE_END = "（《「『“‘"


@pytest.fixture(scope="module")
def chinese(tmp_path_factory):
    """The Chinese sample imported and built in all four editions: (source, build folder)."""
    if not (BUILTIN / "fonts" / "cjk" / "NotoSerifCJKsc-Regular.otf").is_file():
        pytest.fail("the CJK fonts are not installed: make fonts-cjk (make test does it)")
    root = tmp_path_factory.mktemp("chinese")
    source = write_source(root / "src", import_text(SAMPLE.read_text(encoding="utf-8"), SAMPLE.name))
    build(source, root / "build")
    return source, root / "build"


def edition(folder: Path, suffix: str) -> Path:
    (path,) = folder.glob(f"*{suffix}")
    return path


def test_the_pdf_is_set_in_the_cjk_fonts_embedded_and_subset(chinese):
    rows = fonts(edition(chinese[1], ".pdf"))
    assert {re.sub(r"^[A-Z]{6}\+", "", row["name"]).split("-Semi")[0] for row in rows} >= {
        "Noto-Serif-CJK-SC",
        "Noto-Sans-CJK-SC",
    }
    # Only the families the stylesheets declare (the Latin ones after the Chinese): none of the machine's.
    assert all(re.match(r"[A-Z]{6}\+(Noto-(Serif|Sans)-CJK-SC|Source-(Serif-4|Sans-3))\b", r["name"]) for r in rows)
    assert all(row["emb"] == row["sub"] == row["uni"] == "yes" for row in rows)
    assert edition(chinese[1], ".pdf").stat().st_size < 1_500_000  # subset: the faces are 16–25 MB


def test_the_pdf_breaks_lines_by_the_chinese_rules(chinese):
    text = subprocess.run(
        ["pdftotext", "-layout", str(edition(chinese[1], ".pdf")), "-"], capture_output=True, text=True, check=True
    ).stdout
    lines = [line.strip() for line in text.splitlines() if re.search(r"[\u4e00-\u9fff]", line)]
    wrapped = [(a, b) for a, b in zip(lines, lines[1:], strict=False) if a and b]
    assert len(wrapped) > 10  # the sample's paragraphs run over several lines
    assert [b for _, b in wrapped if b[0] in NO_LINE_START] == []
    assert [a for a, _ in wrapped if a[-1] in NO_LINE_END] == []


def test_the_chinese_pdf_is_reproducible(chinese, tmp_path):
    build(chinese[0], tmp_path, formats=("pdf",))
    assert edition(tmp_path, ".pdf").read_bytes() == edition(chinese[1], ".pdf").read_bytes()


def test_the_docx_has_chinese_in_the_east_asian_slots(chinese):
    with zipfile.ZipFile(edition(chinese[1], ".docx")) as z:
        styles = lxml.etree.fromstring(z.read("word/styles.xml"))
        font_table = lxml.etree.fromstring(z.read("word/fontTable.xml"))
    rpr = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    assert rpr.find(f"{W}rFonts").get(f"{W}eastAsia") == "Noto Serif CJK SC"
    assert rpr.find(f"{W}rFonts").get(f"{W}hint") == "eastAsia"  # quotes and dashes: the Chinese font's
    assert rpr.find(f"{W}lang").get(f"{W}val") == rpr.find(f"{W}lang").get(f"{W}eastAsia") == "zh-CN"
    heading = styles.find(f"{W}style[@{W}styleId='Heading1']/{W}rPr/{W}rFonts")
    assert heading.get(f"{W}eastAsia") == "Noto Sans CJK SC"
    charsets = {f.get(f"{W}name"): f.find(f"{W}charset").get(f"{W}val") for f in font_table}
    assert charsets["Noto Serif CJK SC"] == charsets["Noto Sans CJK SC"] == "86"


@pytest.mark.slow
def test_libreoffice_lays_out_the_docx_in_the_chinese_fonts(chinese, tmp_path):
    pdf, _ = libreoffice_pdf(edition(chinese[1], ".docx"), tmp_path)
    names = {re.sub(r"^[A-Z]{6}\+", "", row["name"]) for row in fonts(pdf)}
    assert any(name.startswith("NotoSerifCJK") or name.startswith("Noto-Serif-CJK") for name in names), names
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "规划是绿地建设的龙头" in re.sub(r"\s+", "", text)


def test_the_web_edition_is_chinese_with_a_cjk_font_stack(chinese):
    page = lxml.html.parse(str(chinese[1] / "index.html")).getroot()
    assert page.get("lang") == "zh-Hans"
    style = " ".join(s.text or "" for s in page.iter("style"))
    serif = re.search(r"--serif:\s*([^;]+);", style).group(1)
    sans = re.search(r"--sans:\s*([^;]+);", style).group(1)
    # The Chinese families before the Latin ones, and a generic family last.
    assert serif.index('"Noto Serif CJK SC"') < serif.index('"Source Serif 4"') and serif.endswith("serif")
    assert sans.index('"Noto Sans CJK SC"') < sans.index('"Source Sans 3"')
    assert "SimSun" in serif and "PingFang SC" in sans  # Windows' and Apple's Chinese fonts


def test_the_english_web_edition_keeps_its_stack(tmp_path):
    build(ROOT / "source", tmp_path, formats=("html",))
    style = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "CJK" not in re.search(r"--serif:\s*([^;]+);", style).group(1)


def test_the_epub_is_chinese(chinese):
    with zipfile.ZipFile(edition(chinese[1], ".epub")) as z:
        opf_name = next(n for n in z.namelist() if n.endswith(".opf"))
        opf = lxml.etree.fromstring(z.read(opf_name))
        pages = [lxml.etree.fromstring(z.read(n)) for n in z.namelist() if n.endswith(".xhtml")]
    assert opf.findtext(".//{http://purl.org/dc/elements/1.1/}language") == "zh-Hans"
    assert pages and all(p.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-Hans" for p in pages)


def test_make_sets_up_the_cjk_fonts_only_for_a_chinese_paper(chinese):
    assert "FONT_SETUP := fonts-cjk\n" in make_variables(chinese[0], ROOT)
    assert "FONT_SETUP := \n" in make_variables(ROOT / "source", ROOT)


def test_make_test_extracts_the_cjk_fonts_on_a_fresh_machine():
    """Old: `tools` named $(CJK_FONTS) before the variable was defined, so make read an empty
    prerequisite and a fresh clone's `make test` never extracted the fonts (CI failed; a machine that
    had run `make fonts-cjk` once hid it). Make's own database says what `tools` waits for."""
    database = subprocess.run(["make", "-pn", "clean"], cwd=ROOT, capture_output=True, text=True).stdout
    (tools,) = [line for line in database.splitlines() if line.startswith("tools:")]
    assert "templates/fonts/cjk/.extracted" in tools.split()


def test_without_the_cjk_fonts_the_build_says_how_to_install_them(chinese, tmp_path, capsys):
    """A font file missing from the template folders (here a designer's stylesheet naming one that is
    not there, as the built-in one does before `make fonts-cjk`) is named with its line, and the fix."""
    designer = tmp_path / "templates" / "pdf"
    designer.mkdir(parents=True)
    css = (BUILTIN / "pdf" / "cjk.css").read_text(encoding="utf-8").replace("NotoSerifCJKsc-Regular", "Absent")
    (designer / "cjk.css").write_text(css, encoding="utf-8")
    line = next(i for i, text in enumerate(css.splitlines(), 1) if "Absent" in text)
    code = main(["build", "--source", str(chinese[0]), "--out", str(tmp_path / "out"), "--formats", "pdf",
                 "--templates", str(tmp_path / "templates")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1
    assert f"cjk.css:{line}: font file '../fonts/cjk/Absent.otf' not found" in err
    assert "make fonts-cjk" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_the_extracted_fonts_are_reproducible(tmp_path):
    """`make fonts-cjk` writes the same bytes each time (no timestamp), so the PDF does not change."""
    if not Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc").is_file():
        pytest.skip("Debian's fonts-noto-cjk not installed: make fonts-cjk")
    script = ROOT / "scripts" / "cjk_fonts.py"
    subprocess.run([sys.executable, str(script), "/usr/share/fonts/opentype/noto", str(tmp_path)], check=True)
    for path in tmp_path.glob("*.otf"):
        assert path.read_bytes() == (BUILTIN / "fonts" / "cjk" / path.name).read_bytes(), path.name

"""The press PDF (`make press`, `--pdf-variant press`): PDF/X-4 with bleed and printer's marks, beside
an unchanged reading PDF. Every test opens the real PDF (pikepdf) or renders it (pdftoppm)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from conftest import MINIMAL_YAML, ROOT, SOURCE, write_rich_source, write_source
from pipeline.build import build
from pipeline.render import registry

# Marked slow: the tests of the bundled paper's two PDFs (built once, ~10 s) and of `make press`.

SLUG = "the-construction-of-chinas-internet-rule-of-law-in-the-new-era"
MM = 72 / 25.4
SLUG_AREA = 9 * MM  # the MediaBox beyond the BleedBox: 2 mm, a 6 mm crop mark, 1 mm (pressmarks.SLUG)
PROFILE = ROOT / "templates" / "icc" / "ISOcoated_v2_300_bas.icc"
if not PROFILE.is_file():  # `make tools` installs it (`make press-profile`)
    pytest.skip(f"{PROFILE} missing: run make press-profile", allow_module_level=True)


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def paper(tmp_path_factory):
    """The bundled paper built as `pipeline build --formats pdf --pdf-variant press`: both PDFs."""
    out = tmp_path_factory.mktemp("press")
    done = run_cli(
        "build", "-q", "--source", str(SOURCE), "--out", str(out), "--formats", "pdf", "--pdf-variant", "press"
    )
    assert done.returncode == 0, done.stderr
    return {"dir": out, "press": out / f"{SLUG}-press.pdf", "pdf": out / f"{SLUG}.pdf"}


@pytest.fixture(scope="module")
def civic(tmp_path_factory):
    """The rich sample (figure, table, notes) in the civic theme with a 5 mm bleed, press PDF only."""
    root = tmp_path_factory.mktemp("civic")
    src = write_rich_source(root / "src")
    (src / "paper.yaml").write_text((src / "paper.yaml").read_text() + "theme:\n  bleed: 5mm\n")
    build(src, root / "out", formats=("press",), templates=ROOT / "examples" / "themes" / "civic")
    return root / "out" / "small-paper-press.pdf"


def boxes(page) -> dict[str, list[float]]:
    return {name: [float(v) for v in page.obj[f"/{name}"]] for name in ("MediaBox", "BleedBox", "TrimBox")}


def outside(box, by) -> list[float]:
    return [box[0] - by, box[1] - by, box[2] + by, box[3] + by]


def assert_nested(pdf_path: Path, bleed_mm: float) -> None:
    with pikepdf.open(pdf_path) as pdf:
        assert len(pdf.pages) > 1
        for number, page in enumerate(pdf.pages, 1):
            b = boxes(page)
            trim, bleed, media = b["TrimBox"], b["BleedBox"], b["MediaBox"]
            assert bleed == pytest.approx(outside(trim, bleed_mm * MM), abs=0.001), number
            assert media == pytest.approx(outside(bleed, SLUG_AREA), abs=0.001), number
            assert media[0] < bleed[0] < trim[0] and trim[2] < bleed[2] < media[2], number
            assert media[1] < bleed[1] < trim[1] and trim[3] < bleed[3] < media[3], number


@pytest.mark.slow
def test_every_page_has_media_bleed_and_trim_boxes_nested_with_a_3mm_bleed(paper):
    assert_nested(paper["press"], 3)
    with pikepdf.open(paper["press"]) as pdf:  # the A4 page is the trim
        assert [float(v) for v in pdf.pages[0].obj.TrimBox] == pytest.approx([0, 0, 595.2756, 841.8898], abs=0.01)


@pytest.mark.slow
def test_a_theme_with_a_5mm_bleed_gets_a_5mm_bleed_box(civic):
    assert_nested(civic, 5)
    with pikepdf.open(civic) as pdf:  # the civic theme's letter page
        assert [float(v) for v in pdf.pages[0].obj.TrimBox] == pytest.approx([0, 0, 612, 792], abs=0.01)


@pytest.mark.slow
def test_the_output_intent_is_pdfx_with_an_embedded_cmyk_profile(paper):
    with pikepdf.open(paper["press"]) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX"
        profile = intent.DestOutputProfile
        assert profile.N == 4
        data = profile.read_bytes()
        assert data[36:40] == b"acsp" and data[16:20] == b"CMYK" and data[12:16] == b"prtr"  # an ICC output profile
        assert data == PROFILE.read_bytes()
        assert "ISO Coated v2" in str(intent.OutputConditionIdentifier)


@pytest.mark.slow
def test_the_metadata_says_pdfx4(paper):
    with pikepdf.open(paper["press"]) as pdf:
        assert pdf.pdf_version == "1.6"
        meta = pdf.open_metadata()
        assert meta["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
        assert meta["pdf:Trapped"] == "False"
        assert meta["xmpMM:DocumentID"].startswith("xmp.did:") and meta["xmpMM:VersionID"] == "1"
        assert pdf.docinfo.Trapped == "/False"
        assert len(pdf.trailer.ID) == 2
        assert pdf.check_pdf_syntax() == []  # qpdf's structural check


def fonts(pdf):
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            descriptor = font.get("/FontDescriptor")
            if descriptor is None:
                descriptor = font.DescendantFonts[0].FontDescriptor
            yield str(font.BaseFont), descriptor


@pytest.mark.slow
@pytest.mark.parametrize("which", ["paper", "civic"])
def test_every_font_is_embedded(which, paper, civic):
    with pikepdf.open(paper["press"] if which == "paper" else civic) as pdf:
        found = dict(fonts(pdf))
        assert found
        missing = [
            name for name, d in found.items() if not any(k in d for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        ]
        assert missing == []


def transparency(pdf) -> list[str]:
    """What a preflight would call transparency, on every page and in every form it draws: soft masks,
    blend modes, alpha below 1, transparency groups (ExtGStates are direct objects: walked, not listed)."""
    found = []
    todo = [(number, page.Resources) for number, page in enumerate(pdf.pages, 1)]
    seen = set()
    while todo:
        number, resources = todo.pop()
        for name, state in resources.get("/ExtGState", {}).items():
            if state.get("/SMask", "/None") != "/None" or state.get("/BM", "/Normal") not in ("/Normal", "/Compatible"):
                found.append(f"page {number}: {name}")
            if float(state.get("/ca", 1)) < 1 or float(state.get("/CA", 1)) < 1:
                found.append(f"page {number}: {name} alpha")
        for name, xobject in resources.get("/XObject", {}).items():
            if xobject.objgen in seen:
                continue
            seen.add(xobject.objgen)
            if "/SMask" in xobject or "/Group" in xobject:
                found.append(f"page {number}: {name}")
            if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
                todo.append((number, xobject.Resources))
    return found


@pytest.mark.slow
def test_rgb_has_a_default_colour_space_and_nothing_is_transparent(civic):
    """PDF/X-4 allows DeviceRGB beside a CMYK output intent only with a DefaultRGB; and the built-in
    templates draw nothing a preflight calls transparency, nor any annotation."""
    with pikepdf.open(civic) as pdf:
        for page in pdf.pages:
            space = page.Resources.ColorSpace.DefaultRGB
            assert space[0] == "/ICCBased" and space[1].N == 3
            assert "/Annots" not in page.obj and "/Group" not in page.obj
        images = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
        assert images  # the figure: an RGB PNG, DeviceRGB under the DefaultRGB
        assert transparency(pdf) == []
        assert [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Annot"] == []


def test_a_page_with_a_transparent_image_blends_in_the_output_intents_cmyk(tmp_path):
    src = write_rich_source(tmp_path / "src")
    Image.new("RGBA", (40, 40), (0, 0, 200, 128)).save(src / "chapters" / "images" / "square.png")
    build(src, tmp_path / "out", formats=("press",))
    with pikepdf.open(tmp_path / "out" / "small-paper-press.pdf") as pdf:
        found = transparency(pdf)
        assert len(found) == 1  # the soft-masked image, live (PDF/X-4 allows it)
        (page,) = [p for p in pdf.pages if "/Group" in p.obj]
        group = page.obj.Group
        assert group.S == "/Transparency" and group.CS[0] == "/ICCBased"
        assert group.CS[1].objgen == pdf.Root.OutputIntents[0].DestOutputProfile.objgen


def render(pdf_path: Path, page: int, out: Path) -> Image.Image:
    """The page at 72 dpi (1 px = 1 pt), the whole MediaBox, without anti-aliasing (a hairline is a
    pixel of its colour)."""
    prefix = out / f"page{page}"
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "72",
            "-aa",
            "no",
            "-aaVector",
            "no",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(pdf_path),
            str(prefix),
        ],
        check=True,
    )
    return Image.open(prefix.with_suffix(".png")).convert("RGB")


def dark(pixel) -> bool:
    return max(pixel) < 100


@pytest.mark.slow
def test_crop_marks_are_outside_the_bleed_and_the_cover_colours_the_bleed(paper, tmp_path):
    with pikepdf.open(paper["press"]) as pdf:
        b = boxes(pdf.pages[0])
    margin = round(b["TrimBox"][0] - b["MediaBox"][0])  # px from the media edge to the trim
    bleed = round(b["TrimBox"][0] - b["BleedBox"][0])
    width, height = round(b["TrimBox"][2]), round(b["TrimBox"][3])
    for number in (1, 5):  # the cover and a body page
        image = render(paper["press"], number, tmp_path)
        assert abs(image.size[0] - width - 2 * margin) <= 1 and abs(image.size[1] - height - 2 * margin) <= 1
        # each corner square outside the trim (and the trim lines, a pixel either side): its crop marks
        corners = [(0, 0), (margin + width - 2, 0), (0, margin + height - 2), (margin + width - 2, margin + height - 2)]
        for x0, y0 in corners:
            square = [(x, y) for x in range(x0, x0 + margin + 2) for y in range(y0, y0 + margin + 2)]
            marks = [(x, y) for x, y in square if dark(image.getpixel((x, y)))]
            assert len(marks) > 20, (number, x0, y0)
            # every dark pixel is on a trim line carried out, and beyond the bleed
            for x, y in marks:
                on_line = abs(x - margin) <= 1 or abs(x - margin - width) <= 1
                on_line |= abs(y - margin) <= 1 or abs(y - margin - height) <= 1
                assert on_line, (number, x, y)
                assert (
                    min(abs(x - margin), abs(x - margin - width)) > bleed
                    or min(abs(y - margin), abs(y - margin - height)) > bleed
                ), (number, x, y)
        # between the marks and the trim, the bleed: the cover's colour on the cover, blank elsewhere
        band = [
            (margin - bleed // 2, margin + height // 3),
            (margin + width // 2, margin - bleed // 2),
            (margin + width + bleed // 2, margin + height // 2),
            (margin + width // 3, margin + height + bleed // 2),
        ]
        for x, y in band:
            pixel = image.getpixel((x, y))
            if number == 1:
                assert pixel[0] > 100 and pixel[1] < 60 and pixel[2] < 60, (x, y, pixel)  # the dark red
            else:
                assert pixel == (255, 255, 255), (x, y, pixel)
        # and the cover's colour stops at the bleed edge: white just beyond it
        beyond = image.getpixel((margin - bleed - 3, margin + height // 3))
        assert beyond == (255, 255, 255)


@pytest.mark.slow
def test_the_reading_pdf_is_the_same_with_or_without_the_press_pdf(paper, tmp_path):
    alone = tmp_path / "alone"
    build(SOURCE, alone, formats=("pdf",))
    assert (alone / f"{SLUG}.pdf").read_bytes() == paper["pdf"].read_bytes()
    with pikepdf.open(paper["pdf"]) as pdf:  # still the PDF/UA-1 reading edition, without press boxes
        assert pdf.open_metadata()["pdfuaid:part"] == "1"
        assert "/OutputIntents" not in pdf.Root
        page = pdf.pages[0].obj
        assert [float(v) for v in page.MediaBox] == [float(v) for v in page.TrimBox]


def page_texts(pdf_path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], check=True, capture_output=True, text=True)
    return text.stdout.split("\f")


@pytest.mark.slow
def test_the_press_pdf_has_the_reading_pdfs_words_on_the_same_pages(paper):
    press, reading = page_texts(paper["press"]), page_texts(paper["pdf"])
    assert len(press) == len(reading) > 30
    assert press == reading


@pytest.mark.slow
def test_the_press_pdf_is_the_same_bytes_from_another_build_in_another_folder(paper, tmp_path):
    elsewhere = tmp_path / "some" / "other place"
    shutil.copytree(SOURCE, elsewhere / "source")
    build(elsewhere / "source", tmp_path / "again", formats=("press",))
    again = tmp_path / "again" / f"{SLUG}-press.pdf"
    assert again.read_bytes() == paper["press"].read_bytes()
    assert sorted(p.name for p in (tmp_path / "again").iterdir() if not p.name.startswith(".")) == [again.name]


def test_a_plain_build_makes_no_press_pdf_and_the_web_edition_offers_it_only_if_the_theme_says_so(tmp_path):
    assert "press" in registry.names() and "press" not in registry.default_names()
    src = write_source(tmp_path / "src", {"paper.yaml": MINIMAL_YAML, "chapters/one.md": "# One\n\nText.\n"})
    build(src, tmp_path / "plain", formats=("html",))
    assert "press" not in (tmp_path / "plain" / "index.html").read_text(encoding="utf-8")
    (src / "paper.yaml").write_text(MINIMAL_YAML + "theme:\n  press_download: true\n")
    build(src, tmp_path / "offered", formats=("press", "html"))
    assert 'href="small-paper-press.pdf"' in (tmp_path / "offered" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "value, line",
    [("3cm", 11), ("12mm", 11), ("-1mm", 11), ("3", 11), ("wide", 11)],
)
def test_a_bad_bleed_is_reported_with_its_line(value, line, tmp_path):
    src = write_source(
        tmp_path / "src",
        {"paper.yaml": MINIMAL_YAML + f"theme:\n  bleed: {value}\n", "chapters/one.md": "# One\n\nText.\n"},
    )
    done = run_cli("build", "--source", str(src), "--out", str(tmp_path / "out"), "--pdf-variant", "press")
    assert done.returncode == 1
    assert f"paper.yaml:{line}: theme setting 'bleed' must be a length from 0 to 10mm" in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_bad_bleed_in_a_designers_theme_is_reported_with_its_line(tmp_path):
    src = write_source(tmp_path / "src", {"paper.yaml": MINIMAL_YAML, "chapters/one.md": "# One\n\nText.\n"})
    theme = write_source(tmp_path / "theme", {"theme.yaml": "page_size: a4\nbleed: 3 millimetres\npress_download: 1\n"})
    done = run_cli("check", "--source", str(src), "--templates", str(theme))
    assert done.returncode == 1
    assert f"{theme / 'theme.yaml'}:2: theme setting 'bleed' must be a length" in done.stderr
    assert f"{theme / 'theme.yaml'}:3: theme setting 'press_download' must be true or false" in done.stderr


@pytest.mark.slow
def test_make_press_builds_the_press_pdf_and_make_all_does_not(tmp_path):
    out, mk = tmp_path / "build", tmp_path / "editions.mk"
    make = ["make", "--no-print-directory", f"BUILD={out}", f"EDITIONS_MK={mk}"]
    made = subprocess.run([*make, "press"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert made.returncode == 0, made.stdout + made.stderr
    assert "--formats press" in made.stdout
    with pikepdf.open(out / f"{SLUG}-press.pdf") as pdf:
        assert pdf.open_metadata()["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [f"{SLUG}-press.pdf"]
    again = subprocess.run([*make, "press"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert "pipeline build" not in again.stdout  # nothing changed, nothing runs
    variables = mk.read_text()
    assert "EDITIONS := html pdf epub docx\n" in variables and "OPTIONAL_EDITIONS := press\n" in variables
    assert "SETUP_press := press-profile\n" in variables
    planned = subprocess.run([*make, "-n", "all"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert planned.returncode == 0, planned.stderr
    assert "--formats press" not in planned.stdout and "press-profile" not in planned.stdout
    assert "--formats pdf" in planned.stdout


def test_a_missing_cmyk_profile_says_how_to_install_it(tmp_path, monkeypatch):
    from pipeline.errors import SourceError
    from pipeline.render.pdf import press

    monkeypatch.setattr(press, "PROFILE", "icc/not-installed.icc")
    src = write_source(tmp_path / "src", {"paper.yaml": MINIMAL_YAML, "chapters/one.md": "# One\n\nText.\n"})
    with pytest.raises(SourceError) as info:
        build(src, tmp_path / "out", formats=("press",))
    (problem,) = info.value.diagnostics
    assert problem.path.endswith("icc/not-installed.icc") and "make press-profile" in problem.message
    assert not (tmp_path / "out").exists()

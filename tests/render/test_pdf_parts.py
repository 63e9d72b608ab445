"""The PDF laid out in parts (render/pdf/parts.py, parallel.py, merge.py) against the PDF laid out in one
piece (`pdf_part_size: 0`, the reference): the same to a reader and to a checker.

Compared from the real files: the text of every page (pdftotext), every page's picture (pdftoppm), the
outline with levels and targets, the named destinations, every link's place and target, the structure
tree element by element with its pages and marked-content ids, the ParentTree read back from each page,
/Lang, /MarkInfo, the XMP; one font program per face. And the build is reproducible: the same bytes in
one process or on two cores, from a first build or with the last build's guesses, right or wrong.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageChops

from conftest import SOURCE, write_rich_source, write_source
from pipeline.build import build
from pipeline.render.pdf import PARTS_FILE
from pipeline.render.pdf import parts as pdf_parts
from textcheck import page_texts

ROOT = Path(__file__).resolve().parents[2]
CIVIC = ROOT / "examples" / "themes" / "civic"
PAPER = ROOT.parent / "shared" / "paper" / "white-paper.txt"
WHOLE = {"pdf_part_size": 0}


def build_pdf(source: Path, out: Path, options: dict | None = None, templates=None, **kwargs) -> Path:
    build(source, out, formats=["pdf"], options=options, templates=templates, **kwargs)
    (path,) = out.glob("*.pdf")
    return path


def part_count(out: Path) -> int:
    """How many parts the build laid out: its first pages, in the findings it left."""
    return len(json.loads((out / PARTS_FILE).read_text())["firsts"]) + 1


# --- what a reader and a checker see --------------------------------------------------------


def anatomy(path: Path) -> dict:
    pdf = pikepdf.open(path)
    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}

    def page_of(dest) -> tuple:
        return (pages[dest[0].objgen], *(round(float(v), 2) for v in list(dest)[2:4]))

    outline = []
    with pdf.open_outline() as tree:

        def walk(items, level):
            for item in items:
                outline.append((level, str(item.title), page_of(item.destination), item.is_closed))
                walk(item.children, level + 1)

        walk(tree.root, 1)
    dests = {name: page_of(dest) for name, dest in pikepdf.NameTree(pdf.Root.Names.Dests).items()}
    links = []
    for index, page in enumerate(pdf.pages):
        for annotation in page.obj.get("/Annots", ()):
            target = str(annotation.get("/Dest", "")) or str(annotation.get("/A", {}).get("/URI", ""))
            rect = tuple(round(float(v), 1) for v in annotation.Rect)
            links.append((index, rect, target, str(annotation.get("/Contents", ""))))
    root = pdf.Root.StructTreeRoot
    elements, ids = [], {}

    def visit(element, depth):
        ids[element.objgen] = len(elements)
        kids = element.get("/K", ())
        kids = kids if isinstance(kids, pikepdf.Array) else [kids]
        marked = []
        for kid in kids:
            if isinstance(kid, int):
                marked.append(("mcid", int(kid)))
            elif kid.get("/Type") == "/OBJR":
                marked.append(("annotation", pages[kid.Pg.objgen]))
            elif kid.get("/Type") == "/MCR":
                marked.append(("mcr", int(kid.MCID)))
        page = pages.get(element.Pg.objgen) if "/Pg" in element else None
        attributes = tuple(str(element.get(k, "")) for k in ("/Alt", "/ActualText", "/Lang", "/T"))
        elements.append((depth, str(element.S), page, tuple(marked), attributes))
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
                visit(kid, depth + 1)

    document = root.K[0] if isinstance(root.K, pikepdf.Array) else root.K
    visit(document, 0)
    # The ParentTree read from the pages: each page's marked content to its elements, in MCID order.
    nums = root.ParentTree.Nums
    tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    parents = []
    for index, page in enumerate(pdf.pages):
        entry = tree[int(page.obj.StructParents)]
        parents.append(tuple(ids.get(e.objgen) if isinstance(e, pikepdf.Dictionary) else None for e in entry))
        for annotation in page.obj.get("/Annots", ()):
            parents.append(("annotation", index, ids[tree[int(annotation.StructParent)].objgen]))
    keys = sorted(tree)
    fonts = {}
    for page in pdf.pages:
        for font in page.obj.Resources.get("/Font", {}).values():
            fonts[font.objgen] = str(font.BaseFont)
    return {
        "pages": len(pdf.pages),
        "outline": outline,
        "dests": dests,
        "links": links,
        "structure": elements,
        "parents": parents,
        # A number tree's keys in order, each once; the next key past them.
        "keys in order": [int(nums[i]) for i in range(0, len(nums), 2)] == keys
        and int(root.get("/ParentTreeNextKey", keys[-1] + 1)) > keys[-1],
        "role map": dict(root.get("/RoleMap", {})),
        "lang": str(pdf.Root.Lang),
        "mark info": dict(pdf.Root.MarkInfo),
        "xmp": pdf.Root.Metadata.read_bytes(),
        "fonts": sorted(fonts.values()),
    }


def assert_same_to_reader(whole: Path, parted: Path) -> None:
    assert page_texts(parted) == page_texts(whole)
    a, b = anatomy(whole), anatomy(parted)
    for key in a:
        assert b[key] == a[key], key
    assert len(set(b["fonts"])) == len(b["fonts"]), "a face embedded twice"


def assert_same_pictures(whole: Path, parted: Path, tmp: Path, dpi: int = 30) -> None:
    for name, pdf in (("whole", whole), ("parts", parted)):
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(tmp / name)], check=True)
    a, b = sorted(tmp.glob("whole-*.png")), sorted(tmp.glob("parts-*.png"))
    assert len(a) == len(b)
    differ = [
        i + 1
        for i, (x, y) in enumerate(zip(a, b, strict=True))
        if ImageChops.difference(Image.open(x), Image.open(y)).getbbox()
    ]
    assert differ == []


def outloud(path: Path) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).parent / "outloud"), "--no-info", "--fail-on", "warning", str(path)]
    return subprocess.run(command, capture_output=True, text=True)


def findings(result: subprocess.CompletedProcess) -> list[str]:
    """outloud's findings without its timing: the rule, the page, the count."""
    found = [line.strip() for line in result.stdout.splitlines()]
    return [line for line in found if line.startswith(("WARNING", "ERROR"))]


def pdfua_clean(path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "pdfua", "check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0 and "result: PASS" in result.stdout, result.stdout


def checkers_clean(path: Path) -> None:
    result = outloud(path)
    assert result.returncode == 0, result.stdout + result.stderr
    pdfua_clean(path)


# --- the cut ----------------------------------------------------------------------------------


def test_the_cut_is_made_by_the_text_at_chapter_openings():
    """Parts open at chapters, the costliest as cheap as the chapters allow; the count does not
    depend on the machine (no core count goes in)."""
    chunks = tuple(
        pdf_parts.Chunk(i * 10, i * 10 + 10, "section", (("class", "level1" if i else "cover"),), (), frozenset(), ())
        for i in range(7)
    )
    assert pdf_parts.groups(chunks, part_size=1000) == ((0, 7),)
    assert pdf_parts.groups(chunks, part_size=20) == ((0, 2), (2, 4), (4, 6), (6, 7))
    for first, _ in pdf_parts.groups(chunks, part_size=10)[1:]:
        assert chunks[first].opens_chapter


def test_a_print_html_not_plainly_made_is_one_piece():
    assert pdf_parts.skeleton("<html><head></head><body>text <p>x</p></body></html>") is None
    sk = pdf_parts.skeleton(
        "<html><head></head><body>\n<section class=level1 id=a><a href='#b'>x</a></section>\n"
        "<section class=level1 id=b><br/></section>\n</body></html>"
    )
    assert [c.ids for c in sk.chunks] == [("a",), ("b",)]
    assert sk.chunks[0].targets == {"b"}


# --- the same PDF -----------------------------------------------------------------------------


@pytest.mark.slow
def test_the_paper_in_parts_is_the_paper_whole(tmp_path):
    whole = build_pdf(SOURCE, tmp_path / "whole", WHOLE)
    parted = build_pdf(SOURCE, tmp_path / "parts")
    assert part_count(tmp_path / "parts") >= 2
    assert_same_to_reader(whole, parted)
    assert_same_pictures(whole, parted, tmp_path)
    checkers_clean(parted)


@pytest.mark.slow
def test_the_rich_sample_in_parts_with_links_across_them(tmp_path):
    """Each chapter a part: the links between chapters, the notes, the figure and the table."""
    source = write_rich_source(tmp_path / "rich")
    whole = build_pdf(source, tmp_path / "whole", WHOLE)
    parted = build_pdf(source, tmp_path / "parts", {"pdf_part_size": 1})
    assert part_count(tmp_path / "parts") == 2
    assert_same_to_reader(whole, parted)
    assert_same_pictures(whole, parted, tmp_path)
    across = [link for link in anatomy(parted)["links"] if link[2] in ("one", "tbl-data")]
    assert len(across) == 2
    checkers_clean(parted)


@pytest.mark.slow
def test_the_civic_theme_in_parts(tmp_path):
    whole = build_pdf(SOURCE, tmp_path / "whole", WHOLE, templates=CIVIC)
    parted = build_pdf(SOURCE, tmp_path / "parts", {"pdf_part_size": 20_000}, templates=CIVIC)
    assert part_count(tmp_path / "parts") >= 3
    assert_same_to_reader(whole, parted)
    assert_same_pictures(whole, parted, tmp_path)


@pytest.mark.slow
def test_ten_times_the_paper_in_parts(tmp_path):
    if not PAPER.is_file():
        pytest.skip(f"{PAPER} not present")
    sys.path.insert(0, str(ROOT / "bench"))
    from longer import longer

    text = tmp_path / "paper-10x.txt"
    text.write_text(longer(PAPER.read_text(encoding="utf-8"), 10), encoding="utf-8")
    source = tmp_path / "source"
    subprocess.run([sys.executable, "-m", "pipeline", "import", str(text), "--out", str(source)], check=True, cwd=ROOT)
    whole = build_pdf(source, tmp_path / "whole", WHOLE)
    parted = build_pdf(source, tmp_path / "parts")
    assert part_count(tmp_path / "parts") >= 4
    assert_same_to_reader(whole, parted)
    assert_same_pictures(whole, parted, tmp_path, dpi=12)
    # The 10x paper repeats the paper's text ten times, so outloud takes lines that recur on many pages
    # for running heads tagged as content (PAG-001), in the one-piece PDF too: the same findings.
    assert findings(outloud(parted)) == findings(outloud(whole))
    pdfua_clean(parted)
    assert parted.stat().st_size <= whole.stat().st_size * 1.02  # one font program per face


# --- reproducible -----------------------------------------------------------------------------


@pytest.mark.slow
def test_the_same_bytes_on_one_core_or_two_from_any_guess(tmp_path):
    """In this process (one core, a catalogue's worker), on two processes; a first build, a build with
    the last build's findings, with findings that are wrong, or unreadable."""
    two = build_pdf(SOURCE, tmp_path / "two")  # a first build: no findings
    expected = two.read_bytes()
    assert part_count(tmp_path / "two") >= 2
    one = build_pdf(SOURCE, tmp_path / "one", own_processes=False)
    assert one.read_bytes() == expected
    again = build_pdf(SOURCE, tmp_path / "two")  # with the findings of the first
    assert again.read_bytes() == expected
    findings = json.loads((tmp_path / "two" / PARTS_FILE).read_text())
    wrong = {
        "firsts": {key: page + 2 for key, page in findings["firsts"].items()},
        "anchors": {key: page + 7 for key, page in findings["anchors"].items()},
        "strings": {key: {"book": "Not the title"} for key in findings["strings"]},
    }
    (tmp_path / "two" / PARTS_FILE).write_text(json.dumps(wrong))
    assert build_pdf(SOURCE, tmp_path / "two").read_bytes() == expected
    (tmp_path / "two" / PARTS_FILE).write_text("{not json")
    assert build_pdf(SOURCE, tmp_path / "two").read_bytes() == expected
    copy = shutil.copytree(SOURCE, tmp_path / "elsewhere" / "source")
    assert build_pdf(copy, tmp_path / "elsewhere" / "out").read_bytes() == expected


@pytest.mark.slow
def test_one_part_is_the_one_piece_reference_byte_for_byte(tmp_path):
    source = write_rich_source(tmp_path / "rich")
    whole = build_pdf(source, tmp_path / "whole", WHOLE)
    parted = build_pdf(source, tmp_path / "parts")  # the default size: a short paper is one part
    assert part_count(tmp_path / "parts") == 1
    assert parted.read_bytes() == whole.read_bytes()


@pytest.mark.slow
def test_chapters_that_need_not_open_on_a_recto_fall_back_to_one_piece(tmp_path):
    """A designer's template whose chapters open on the next page, recto or verso: a part laid out
    alone always opens on a recto, so where one would not, the whole is laid out in one piece."""
    templates = write_source(
        tmp_path / "templates",
        {
            "pdf/book.html": """\
                {% extends "builtin/pdf/book.html" %}
                {% block head_extra %}<style>section.level1 { break-before: page; }</style>{% endblock %}
                """
        },
    )
    whole = build_pdf(SOURCE, tmp_path / "whole", WHOLE, templates=templates)
    parted = build_pdf(SOURCE, tmp_path / "parts", {"pdf_part_size": 20_000}, templates=templates)
    assert parted.read_bytes() == whole.read_bytes()
    # Found once, remembered: the next build of this design lays out in one piece at once.
    assert json.loads((tmp_path / "parts" / PARTS_FILE).read_text())["one_piece"]
    again = build_pdf(SOURCE, tmp_path / "parts", {"pdf_part_size": 20_000}, templates=templates)
    assert again.read_bytes() == whole.read_bytes()


@pytest.mark.parametrize(
    ("css", "cuttable"),
    [
        ("a::after { content: leader('.') target-counter(attr(href), page); }", True),
        ("@page :right { @bottom-right { content: counter(page); } }", True),
        ("@page chapter:nth(1 of chapter) { @top-right { content: none; } }", True),
        ("li::marker { content: counter(list-item) '. '; } p:first-child { margin: 0; }", True),
        ("@page { @bottom-center { content: counter(page) ' of ' counter(pages); } }", False),
        ("figure::before { content: 'Figure ' counter(figure); }", False),
        ("h2::before { content: counters(section, '.'); }", False),
        ("a::after { content: target-counter(attr(href), figure); }", False),
        ("a::after { content: target-text(attr(href)); }", False),
        ("header { position: running(head); }", False),
        ("@page :first { margin-top: 0; }", False),
        ("@page :nth(3) { margin-top: 0; }", False),
    ],
)
def test_css_a_part_cannot_lay_out_alone_keeps_the_pdf_in_one_piece(tmp_path, css, cuttable):
    """What a part cannot know of the pages before it, in a linked style sheet or one it imports."""
    from pipeline.render.pdf.engine import PrintJob

    (tmp_path / "pdf").mkdir()
    (tmp_path / "pdf" / "print.css").write_text("@import 'more.css';\nbody { margin: 0; }\n")
    (tmp_path / "pdf" / "more.css").write_text(css)
    html = '<html><head><link rel="stylesheet" href="print.css" /></head><body><p>x</p></body></html>'
    job = PrintJob(html, str(tmp_path / "pdf"), "pdf/book.html", "x.pdf", tmp_path, (tmp_path,))
    assert pdf_parts.cuttable(job) is cuttable


@pytest.mark.slow
def test_a_page_count_in_the_folios_keeps_the_pdf_in_one_piece(tmp_path):
    templates = write_source(
        tmp_path / "templates",
        {
            "pdf/book.html": """\
                {% extends "builtin/pdf/book.html" %}
                {% block head_extra %}<style>@page :right { @bottom-right { content: counter(page) " of " counter(pages); } }</style>{% endblock %}
                """
        },
    )
    whole = build_pdf(SOURCE, tmp_path / "whole", WHOLE, templates=templates)
    parted = build_pdf(SOURCE, tmp_path / "parts", {"pdf_part_size": 20_000}, templates=templates)
    assert part_count(tmp_path / "parts") == 1
    assert parted.read_bytes() == whole.read_bytes()
    assert "3 of 35" in page_texts(parted)[2]

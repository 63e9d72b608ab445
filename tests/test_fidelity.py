"""Every heading and paragraph of the source is in every edition, in order (the cross-format test)."""

from __future__ import annotations

import zipfile

import docx
import lxml.etree
import lxml.html
import pytest

from textcheck import expected_pieces, missing_in_order, pdf_text


def html_text(path) -> str:
    tree = lxml.html.parse(str(path))
    main = tree.getroot().body.find(".//main")
    return main.text_content()


def epub_text(path) -> str:
    with zipfile.ZipFile(path) as z:
        container = lxml.etree.fromstring(z.read("META-INF/container.xml"))
        opf_path = container.find(".//{*}rootfile").get("full-path")
        opf = lxml.etree.fromstring(z.read(opf_path))
        base = opf_path.rsplit("/", 1)[0] + "/" if "/" in opf_path else ""
        manifest = {item.get("id"): item.get("href") for item in opf.iter("{*}item")}
        texts = []
        for ref in opf.iter("{*}itemref"):
            href = manifest[ref.get("idref")]
            root = lxml.etree.fromstring(z.read(base + href))
            body = root.find("{http://www.w3.org/1999/xhtml}body")
            texts.append(" ".join(body.itertext()))
        return "\n".join(texts)


def docx_text(path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


EXTRACT = {"html": html_text, "pdf": pdf_text, "epub": epub_text, "docx": docx_text}


@pytest.mark.parametrize("edition", sorted(EXTRACT))
def test_every_heading_and_paragraph_in_order(built, doc, edition):
    text = EXTRACT[edition](built[edition])
    assert missing_in_order(doc, text) == []


def test_the_check_can_fail(doc):
    """The fidelity check itself notices a missing paragraph and a swapped order."""
    pieces = expected_pieces(doc)
    full = "\n".join(text for _, text in pieces)
    assert missing_in_order(doc, full) == []
    without = "\n".join(text for i, (_, text) in enumerate(pieces) if i != 10)
    assert len(missing_in_order(doc, without)) == 1
    swapped = [text for _, text in pieces]
    swapped[5], swapped[40] = swapped[40], swapped[5]
    assert missing_in_order(doc, "\n".join(swapped))


@pytest.fixture(scope="module")
def other_paper(tmp_path_factory):
    """A different paper in the same style, imported from plain text and built: {format: path}."""
    from conftest import write_source
    from pipeline.build import build
    from pipeline.importer import import_text
    from pipeline.reader import read_source
    from test_importer import OTHER_PAPER

    root = tmp_path_factory.mktemp("other")
    write_source(root / "source", import_text(OTHER_PAPER, "other.txt"))
    build(root / "source", root / "build")
    doc = read_source(root / "source")
    slug = doc.meta.slug
    paths = {fmt: root / "build" / f"{slug}.{fmt}" for fmt in ("pdf", "epub", "docx")}
    return doc, {"html": root / "build" / "index.html", **paths}


@pytest.mark.parametrize("edition", sorted(EXTRACT))
def test_another_imported_paper_is_whole_in_every_edition(other_paper, edition):
    doc, paths = other_paper
    assert missing_in_order(doc, EXTRACT[edition](paths[edition])) == []

"""Hostile text stays text in every edition; no edition reads outside the source and template
folders or touches the network; two builds in different folders at different times are identical."""

from __future__ import annotations

import hashlib
import shutil
import time
import zipfile

import pytest

from conftest import MINIMAL_YAML, SOURCE, write_source
from pipeline.build import build
from pipeline.errors import SourceError
from textcheck import pdf_text

HOSTILE = """\
# One <script>alert('title')</script>

<script>alert(1)</script> and <img src=x onerror="alert(2)"> and <a href="javascript:alert(3)">x</a>.

[click](javascript:alert(4)) and <javascript:alert(5)> and &lt;b&gt; and &amp;.

<iframe src="file:///etc/passwd"></iframe>
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    write_source(root / "src", {"paper.yaml": MINIMAL_YAML, "chapters/one.md": HOSTILE})
    build(root / "src", root / "build")
    return root / "build"


def _documents(build_dir):
    """The web page's text (its <main>: the page's own scripts live outside it) and every EPUB document."""
    import lxml.etree
    import lxml.html

    yield lxml.html.parse(str(build_dir / "index.html")).getroot().find(".//main")
    with zipfile.ZipFile(build_dir / "small-paper.epub") as z:
        for name in z.namelist():
            if name.endswith((".xhtml", ".html")):
                yield lxml.etree.fromstring(z.read(name))


def test_raw_html_is_text_in_web_and_epub(hostile):
    for root in _documents(hostile):
        tags = {lxml_local(el.tag) for el in root.iter() if isinstance(el.tag, str)}
        assert not tags & {"script", "iframe", "object", "embed"}, tags
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            for name, value in el.attrib.items():
                assert not lxml_local(name).startswith("on"), (el.tag, name)
                assert not value.strip().lower().startswith("javascript:"), (el.tag, name, value)
        text = " ".join(root.itertext())
        if "alert(1)" in text:
            assert "<script>alert(1)</script>" in text


def lxml_local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def test_hostile_text_is_shown_as_text_in_docx_and_pdf(hostile):

    import docx

    text = "\n".join(p.text for p in docx.Document(str(hostile / "small-paper.docx")).paragraphs)
    assert "<script>alert(1)</script>" in text
    pdf = pdf_text(hostile / "small-paper.pdf")
    assert "<script>alert(1)</script>" in pdf


@pytest.mark.parametrize(
    "template",
    [
        '<img src="file:///etc/hostname" alt="x" />',
        '<link rel="stylesheet" href="http://example.com/evil.css" />',
        '<img src="../../../../../../etc/hostname" alt="x" />',
    ],
)
def test_pdf_reads_nothing_outside_its_folders(tmp_path, template):
    """A designer's print template that points outside the folders (or at the network) fails the build."""
    write_source(tmp_path / "src", {"paper.yaml": MINIMAL_YAML, "chapters/one.md": "# One\n\nText.\n"})
    override = tmp_path / "theme" / "pdf"
    override.mkdir(parents=True)
    original = (SOURCE.parent / "templates" / "pdf" / "book.html").read_text()
    (override / "book.html").write_text(original.replace("<body>", "<body>\n" + template, 1))
    with pytest.raises(SourceError) as info:
        build(tmp_path / "src", tmp_path / "build", formats=("pdf",), templates=tmp_path / "theme")
    assert "not fetched" in str(info.value)
    assert not (tmp_path / "build").exists()


def test_two_builds_in_different_folders_and_times_are_identical(tmp_path, built):
    """The same source built again later, from a copy elsewhere, gives byte-identical editions."""
    time.sleep(2.1)  # zip timestamps have 2-second steps: a clock-dependent stamp would show
    copy = tmp_path / "elsewhere" / "source"
    shutil.copytree(SOURCE, copy)
    out = tmp_path / "again"
    build(copy, out)
    first = {
        p.relative_to(built["dir"]): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in built["dir"].rglob("*")
        if p.is_file()
    }
    second = {p.relative_to(out): hashlib.sha256(p.read_bytes()).hexdigest() for p in out.rglob("*") if p.is_file()}
    assert second == first


def test_symlinks_out_of_the_source_folder_are_refused(tmp_path):
    """A symlinked image or chapter that leads outside the source folder is an error, never read."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (outside / "secret.md").write_text("# Secret\n\nNot to be published.\n")
    yaml = MINIMAL_YAML.replace("  - chapters/one.md", "  - chapters/one.md\n  - chapters/linked.md")
    src = write_source(tmp_path / "src", {"paper.yaml": yaml, "chapters/one.md": "# One\n\n![A picture](pic.png)\n"})
    (src / "chapters" / "pic.png").symlink_to(outside / "secret.png")
    (src / "chapters" / "linked.md").symlink_to(outside / "secret.md")
    with pytest.raises(SourceError) as info:
        build(src, tmp_path / "build")
    messages = [d.message for d in info.value.diagnostics]
    assert "image 'pic.png' is outside the source folder" in messages
    assert "chapter file 'chapters/linked.md' is outside the source folder" in messages
    assert not (tmp_path / "build").exists()

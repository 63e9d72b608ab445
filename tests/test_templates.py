"""Customizing templates (issue 7): one override folder for all four editions.

The designer's workflow from the issue, literally: `pipeline templates mytheme`, edit the HTML body
partial and the reference document's Heading 1 colour, build with `--templates mytheme`, and see the
change in all four editions. Also: a folder with a single edited file works, errors name `path:line`
and leave the last good build alone, `builtin/` extends, the copy command, and the example theme.
"""

from __future__ import annotations

import hashlib
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.shared import RGBColor

from pipeline.cli import main
from textcheck import pdf_text

ROOT = Path(__file__).resolve().parent.parent
BUILTIN = ROOT / "templates"
CIVIC = ROOT / "examples" / "themes" / "civic"
SLUG = "small-paper"

PARA = '<p{% if b.id %} id="{{ b.id }}"{% endif %}{% if classes %} class="{{ classes }}"{% endif %}>{{ para_number(b) }}{{ inlines(b.inlines) }}{{ permalink(b) }}</p>'
EDITED_PARA = '<p class="designer-para">Designer mark: {{ inlines(b.inlines) }}</p>'


def build(source: Path, out: Path, *extra: str) -> int:
    return main(["build", "--source", str(source), "--out", str(out), "-q", *extra])


def hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def epub_parts(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in sorted(z.namelist()) if n.endswith(".xhtml"))


def heading1_colour(path: Path) -> str | None:
    rgb = docx.Document(str(path)).styles["Heading 1"].font.color.rgb
    return str(rgb) if rgb is not None else None


def test_designer_workflow_reaches_all_four_editions(small_source, tmp_path, capsys):
    theme = tmp_path / "mytheme"
    assert main(["templates", str(theme)]) == 0
    assert "wrote" in capsys.readouterr().out

    body = theme / "partials" / "body.html"
    text = body.read_text(encoding="utf-8")
    assert PARA in text, "the paragraph markup this test edits has moved"
    body.write_text(text.replace(PARA, EDITED_PARA), encoding="utf-8")

    reference = theme / "docx" / "reference.docx"
    document = docx.Document(str(reference))
    assert heading1_colour(reference) != "123456"
    document.styles["Heading 1"].font.color.rgb = RGBColor(0x12, 0x34, 0x56)
    document.save(str(reference))

    out = tmp_path / "out"
    assert build(small_source, out, "--templates", str(theme)) == 0
    assert 'class="designer-para">Designer mark: First paragraph.</p>' in (out / "index.html").read_text("utf-8")
    assert 'class="designer-para">Designer mark: First paragraph.</p>' in epub_parts(out / f"{SLUG}.epub")
    assert "Designer mark: First paragraph." in pdf_text(out / f"{SLUG}.pdf", layout=True)
    assert heading1_colour(out / f"{SLUG}.docx") == "123456"

    # Without the folder, none of it.
    plain = tmp_path / "plain"
    assert build(small_source, plain, "--formats", "html,docx") == 0
    assert "designer-para" not in (plain / "index.html").read_text("utf-8")
    assert heading1_colour(plain / f"{SLUG}.docx") != "123456"


def test_copy_is_complete_and_refuses_a_non_empty_folder(tmp_path, capsys):
    theme = tmp_path / "copy"
    assert main(["templates", str(theme)]) == 0
    builtin = {
        p.relative_to(BUILTIN)
        for p in BUILTIN.rglob("*")
        if p.is_file() and not any(part.startswith((".", "__")) for part in p.relative_to(BUILTIN).parts)
    }
    copied = {p.relative_to(theme) for p in theme.rglob("*") if p.is_file()}
    # All but the CJK fonts `make fonts-cjk` installs (80 MB): the built-in folder is searched after it.
    cjk = {p for p in builtin if p.is_relative_to("fonts/cjk")}
    assert builtin - cjk <= copied
    assert not cjk & copied
    for needed in ("html/index.html", "pdf/book.html", "pdf/print.css", "epub/style.css", "partials/body.html",
                   "theme.yaml", "docx/reference.docx", "fonts/SourceSerif4-Regular.otf",
                   "fonts/web/SourceSans3-Regular.woff2", "fonts/LICENSE-SourceSerif4.md"):  # fmt: skip
        assert (theme / needed).read_bytes() == (BUILTIN / needed).read_bytes(), needed

    (theme / "html" / "index.html").write_text("mine", encoding="utf-8")
    capsys.readouterr()
    assert main(["templates", str(theme)]) == 1
    assert f"{theme}:1: folder is not empty; use --force" in capsys.readouterr().err
    assert (theme / "html" / "index.html").read_text(encoding="utf-8") == "mine"
    assert main(["templates", str(theme), "--force"]) == 0
    assert (theme / "html" / "index.html").read_bytes() == (BUILTIN / "html" / "index.html").read_bytes()


@pytest.mark.parametrize(
    ("relative", "edit", "fmt", "check"),
    [
        ("html/style.css", lambda t: t + "\n.only-one-file { color: red; }\n", "html",
         lambda out: ".only-one-file" in (out / "assets" / "style.css").read_text("utf-8")),
        ("pdf/print.css", lambda t: t + '\n.cover .title::after { content: " (one file)"; }\n', "pdf",
         lambda out: "(one file)" in pdf_text(out / f"{SLUG}.pdf", layout=True)),
    ],
)  # fmt: skip
def test_a_folder_with_one_edited_file(small_source, tmp_path, relative, edit, fmt, check):
    theme = tmp_path / "one"
    (theme / relative).parent.mkdir(parents=True)
    (theme / relative).write_text(edit((BUILTIN / relative).read_text("utf-8")), encoding="utf-8")
    out = tmp_path / "out"
    assert build(small_source, out, "--formats", fmt, "--templates", str(theme)) == 0
    assert check(out)


def test_syntax_error_names_path_line_and_keeps_the_last_good_build(small_source, tmp_path, capsys):
    out = tmp_path / "out"
    assert build(small_source, out, "--formats", "html,epub,docx") == 0
    before = hashes(out)
    theme = tmp_path / "broken"
    (theme / "epub").mkdir(parents=True)
    bad = theme / "epub" / "title.xhtml"
    bad.write_text("<html>\n<body>\n{% if meta.title %}\n<p>never closed</p>\n</body>\n", encoding="utf-8")
    capsys.readouterr()
    assert build(small_source, out, "--templates", str(theme)) == 1
    err = capsys.readouterr().err
    assert f"{bad}:" in err and "template syntax" in err
    line = int(err.split(f"{bad}:")[1].split(":")[0])
    assert 3 <= line <= 6
    assert "Traceback" not in err
    assert hashes(out) == before


def test_undefined_variable_names_path_line(small_source, tmp_path, capsys):
    theme = tmp_path / "undef"
    (theme / "html").mkdir(parents=True)
    bad = theme / "html" / "index.html"
    bad.write_text('{% extends "builtin/html/index.html" %}\n{% block footer %}\n<p>{{ no_such_thing }}</p>\n'
                   "{% endblock %}\n", encoding="utf-8")  # fmt: skip
    capsys.readouterr()
    assert build(small_source, tmp_path / "out", "--formats", "html", "--templates", str(theme)) == 1
    err = capsys.readouterr().err
    assert f"{bad}:3: template error: 'no_such_thing' is undefined" in err
    assert "Traceback" not in err


def test_extends_builtin_to_change_one_block(small_source, tmp_path):
    theme = tmp_path / "ext"
    (theme / "html").mkdir(parents=True)
    (theme / "epub").mkdir(parents=True)
    (theme / "html" / "index.html").write_text(
        '{% extends "builtin/html/index.html" %}\n{% block footer %}<p class="custom-footer">Ours, {{ meta.date }}</p>'
        "{% endblock %}\n",
        encoding="utf-8",
    )
    (theme / "epub" / "title.xhtml").write_text(
        '{% extends "builtin/epub/title.xhtml" %}\n{% block imprint %}<section class="imprint">'
        "<p>Custom imprint</p></section>{% endblock %}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert build(small_source, out, "--formats", "html,epub", "--templates", str(theme)) == 0
    page = (out / "index.html").read_text("utf-8")
    assert '<p class="custom-footer">Ours, May 2024</p>' in page
    assert "Identifier: <code>" not in page  # the built-in footer's content is replaced
    assert '<section class="title-block"' in page or "title-block" in page  # the rest is the built-in page
    parts = epub_parts(out / f"{SLUG}.epub")
    assert "<p>Custom imprint</p>" in parts and 'epub:type="titlepage"' in parts


def test_example_theme_looks_different_in_every_edition(small_source, tmp_path):
    out = tmp_path / "civic"
    assert build(small_source, out, "--templates", str(CIVIC)) == 0
    page = (out / "index.html").read_text("utf-8")
    assert "civic-title" in page and "--accent: #0b5c6b" in page
    with zipfile.ZipFile(out / f"{SLUG}.epub") as z:
        cover = next(n for n in z.namelist() if n.endswith("cover.png"))
        from io import BytesIO

        from PIL import Image

        assert Image.open(BytesIO(z.read(cover))).convert("RGB").getpixel((5, 5)) == (0x0B, 0x3D, 0x4A)
    pdf = out / f"{SLUG}.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "612 x 792 pts (letter)" in info
    assert "Civic edition" in pdf_text(pdf, layout=True)
    # The DOCX styles come from the theme's reference document (made from its theme.yaml).
    assert heading1_colour(out / f"{SLUG}.docx") == "10242B" != heading1_colour(BUILTIN / "docx" / "reference.docx")
    styles = zipfile.ZipFile(out / f"{SLUG}.docx").read("word/styles.xml").decode("utf-8")
    assert 'w:val="0B5C6B"' in styles  # the accent (title, contents heading)

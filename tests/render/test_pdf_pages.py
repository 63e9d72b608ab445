"""No word broken across a page turn, the fast way: the hook in WeasyPrint's page loop
(`KeepWholeInLayout`) must lay out exactly the pages the slow way (the whole document laid out again
with the word in a nowrap span) does, footnotes included, and stand aside when WeasyPrint's
internals are not what it expects."""

from __future__ import annotations

from pathlib import Path

import pytest
import weasyprint

import textcheck
from conftest import MINIMAL_YAML, SOURCE, write_source
from pipeline.build import prepare
from pipeline.render import Context
from pipeline.render.pdf import pages as pdf_pages
from pipeline.render.pdf.book import print_job

WORDS = (
    "internationalization responsibilities infrastructure telecommunications accountability "
    "administrative characteristically interoperability constitutional jurisprudence"
).split()


def _chapter(title: str, paragraphs: int) -> str:
    """Long words (so lines end hyphenated) and a footnote in every other paragraph. With 10 and 8
    paragraphs, two pages of the A4 book end in a broken word, both with notes on the page."""
    parts = [f"# {title}\n"]
    for i in range(paragraphs):
        w, w2, w3 = WORDS[i % 10], WORDS[(i * 3 + 1) % 10], WORDS[(i + 5) % 10]
        note = f"[^{title}{i}]" if i % 2 == 0 else ""
        parts.append(
            f"Paragraph {i} concerns the {w} of networks and the {w2} that follows from the rules{note}, "
            f"with e-commerce, cross-border data and {w} weighed against {w2} in every case that the {w3} "
            "bodies consider.\n"
        )
        if note:
            parts.append(f"[^{title}{i}]: A note on the {w2} of paragraph {i}, with {w} spelled out.\n")
    return "\n".join(parts)


def notes_source(root: Path) -> Path:
    yaml = MINIMAL_YAML.replace("  - chapters/one.md\n", "  - chapters/one.md\n  - chapters/two.md\n")
    files = {"paper.yaml": yaml, "chapters/one.md": _chapter("One", 10), "chapters/two.md": _chapter("Two", 8)}
    return write_source(root, files)


def job_for(source: Path):
    doc, tmpl, theme = prepare(source)
    return print_job(doc, Context(tmpl, theme=theme))


def html_of(job) -> weasyprint.HTML:
    return weasyprint.HTML(string=job.html, base_url=job.base_url)


def page_texts(document, job, tmp_path: Path) -> list[str]:
    path = tmp_path / f"out-{len(list(tmp_path.iterdir()))}.pdf"
    path.write_bytes(document.write_pdf(**job.options))
    return textcheck.page_texts(path)


def last_text_line(page: str) -> str:
    """The last line of running text on a page: above the notes (a line "N. …") and the folio."""
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    while lines and (lines[-1].isdigit() or lines[-1].split(".")[0].isdigit()):
        lines.pop()
    return lines[-1] if lines else ""


@pytest.mark.parametrize("which", ["paper", "notes"])
def test_the_hook_lays_out_the_pages_the_slow_path_does(which, tmp_path):
    source = SOURCE if which == "paper" else notes_source(tmp_path / "src")
    job = job_for(source)
    hook = pdf_pages.KeepWholeInLayout()
    with hook:
        fast = html_of(job).render(**job.options)
    slow = pdf_pages.render_again_until_whole(html_of(job), **job.options)

    assert not hook.failed
    # The sample must exercise the hook: in the paper, "infra-structure" and "e-commerce" end pages.
    assert len(hook.kept) >= 2, f"no page ended in a broken word, so nothing was tested: {hook.kept}"
    fast_pages, slow_pages = page_texts(fast, job, tmp_path), page_texts(slow, job, tmp_path)
    assert fast_pages == slow_pages
    for n, page in enumerate(fast_pages, 1):
        last = last_text_line(page)
        assert not last or last[-1] not in "-\u2010\u00ad", f"page {n} ends in a broken word: {last}"


def test_the_hook_stands_aside_when_weasyprint_is_not_as_expected(monkeypatch, tmp_path):
    """A WeasyPrint whose boxes or context differ (here: splitting a text box raises) is laid out the
    slow way, with the same result."""
    job = job_for(notes_source(tmp_path / "src"))
    expected = page_texts(pdf_pages.render_again_until_whole(html_of(job), **job.options), job, tmp_path)

    def changed(*args):
        raise AttributeError("'TextBox' object has no attribute 'copy_with_text'")

    monkeypatch.setattr(pdf_pages, "_keep_in_box_tree", changed)
    hooks = []
    original = pdf_pages.KeepWholeInLayout

    class Watched(original):
        def __init__(self):
            super().__init__()
            hooks.append(self)

    monkeypatch.setattr(pdf_pages, "KeepWholeInLayout", Watched)
    document = pdf_pages.render_without_broken_page_ends(html_of(job), **job.options)

    assert hooks and hooks[0].failed
    assert page_texts(document, job, tmp_path) == expected


@pytest.mark.parametrize("moved", ["weasyprint.layout.page", "weasyprint.formatting_structure.boxes"])
def test_a_moved_weasyprint_internal_takes_the_fallback_instead_of_failing_at_import(moved, tmp_path):
    """A WeasyPrint whose internals moved (as an upgrade past the pin might) still makes the PDF:
    without `remake_page` by the slow path, without the box classes laid out as it is."""
    import subprocess
    import sys

    from conftest import ROOT, write_rich_source

    src = write_rich_source(tmp_path / "src")
    script = (
        # WeasyPrint keeps what it imported; the module is gone from where pdf_pages looks for it.
        "import sys, weasyprint, weasyprint.layout.page, weasyprint.formatting_structure.boxes\n"
        f"package, name = {moved!r}.rsplit('.', 1); delattr(sys.modules[package], name)\n"
        f"sys.modules[{moved!r}] = None\n"  # `import` of it now raises ImportError
        "from pipeline.cli import main\n"
        f"sys.exit(main(['build', '--source', {str(src)!r}, '--out', {str(tmp_path / 'out')!r}, '--formats', 'pdf']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(ROOT)}
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "small-paper.pdf").read_bytes().startswith(b"%PDF-")

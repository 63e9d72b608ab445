"""WeasyPrint's part of the PDF edition (`pdf_engine`): a PrintJob is plain data (it crosses to the
PDF child process), and the speed-ups around WeasyPrint change no byte of the PDF."""

from __future__ import annotations

import pickle

import pydyf
import pytest
import weasyprint

from conftest import write_rich_source
from pipeline.build import prepare
from pipeline.render import Context
from pipeline.render.pdf import engine as pdf_engine
from pipeline.render.pdf.book import print_job


def test_a_print_job_crosses_to_a_process_as_it_is(tmp_path):
    doc, tmpl, theme = prepare(write_rich_source(tmp_path / "src"))
    job = print_job(doc, Context(tmpl, theme=theme))
    assert pickle.loads(pickle.dumps(job)) == job
    assert job.filename == "small-paper.pdf" and "<html" in job.html


def test_cached_page_references_write_the_same_bytes(tmp_path, monkeypatch):
    # Without the HarfBuzz subsetter, fontTools subsets the fonts and stamps them with the time now
    # unless SOURCE_DATE_EPOCH is set (lay_out sets it; this test calls WeasyPrint itself).
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    doc, tmpl, theme = prepare(write_rich_source(tmp_path / "src"))
    job = print_job(doc, Context(tmpl, theme=theme))
    document = weasyprint.HTML(string=job.html, base_url=job.base_url).render(**job.options)
    plain = document.write_pdf(**job.options)
    original = pydyf.PDF.__dict__["page_references"]
    with pdf_engine._cached_page_references():
        assert pydyf.PDF.__dict__["page_references"] is not original  # the cache is in place
        cached = document.write_pdf(**job.options)
    assert pydyf.PDF.__dict__["page_references"] is original  # and gone after
    assert cached == plain


def test_the_pdf_is_the_same_from_the_child_process_and_from_one_core(tmp_path, monkeypatch):
    """With two cores the PDF is laid out in a child process started before the source is read; with
    one, in the build's own process. Same bytes either way."""
    from pipeline import build as build_module

    src = write_rich_source(tmp_path / "src")
    if build_module.usable_cores() < 2:
        pytest.skip("needs two cores to compare the two ways")
    build_module.build(src, tmp_path / "two", formats=("pdf",))
    monkeypatch.setattr(build_module, "usable_cores", lambda: 1)
    monkeypatch.setattr("pipeline.render.pdf.process.PdfProcess", None)  # no child: it would fail
    build_module.build(src, tmp_path / "one", formats=("pdf",))
    two, one = (tmp_path / d / "small-paper.pdf" for d in ("two", "one"))
    assert two.read_bytes() == one.read_bytes()


def test_an_image_weasyprint_cannot_load_is_reported_with_its_reason(tmp_path):
    """A designer's stylesheet that shows a damaged image: WeasyPrint's message used to end in an
    empty reason ("Failed to load image at '…': ")."""
    from pipeline.errors import SourceError
    from pipeline.templates import BUILTIN

    src = write_rich_source(tmp_path / "src")
    theme = tmp_path / "theme" / "pdf"
    theme.mkdir(parents=True)
    css = (BUILTIN / "pdf" / "print.css").read_text(encoding="utf-8")
    (theme / "print.css").write_text(css + "\nbody { background-image: url(stain.png) }\n", encoding="utf-8")
    (theme / "stain.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"not an image at all" * 4)  # damaged
    doc, tmpl, theme_settings = prepare(src, tmp_path / "theme")
    with pytest.raises(SourceError) as caught:
        pdf_engine.lay_out(print_job(doc, Context(tmpl, theme=theme_settings)))
    (message,) = [d.message for d in caught.value.diagnostics if "stain.png" in d.message]
    assert "Failed to load image" in message and "Error" in message.split(".png'")[-1]
    assert message.rsplit(": ", 1)[1].strip(), message  # e.g. "OSError: Truncated File Read"

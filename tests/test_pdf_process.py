"""The PDF's process (`pipeline/render/pdf/process.py`): whatever happens to it, the build ends, says why and
writes nothing; its result and its errors come back as if the PDF had been made in the build's own
process."""

from __future__ import annotations

import os
import signal

import pytest

from conftest import write_rich_source
from pipeline import build as build_module
from pipeline.errors import SourceError
from pipeline.render.pdf import engine as pdf_engine

pytestmark = pytest.mark.skipif(build_module.usable_cores() < 2, reason="the PDF has its own process on two cores")


@pytest.fixture
def src(tmp_path):
    return write_rich_source(tmp_path / "src")


def test_a_pdf_process_that_dies_fails_the_build_instead_of_hanging(src, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_engine, "lay_out", lambda job: os.kill(os.getpid(), signal.SIGKILL))
    with pytest.raises(ChildProcessError, match="killed by signal 9"):
        build_module.build(src, tmp_path / "build")
    assert not (tmp_path / "build").exists()  # nothing written, not even the other editions


def test_a_pdf_process_that_dies_laying_out_a_part_fails_the_build(tmp_path, monkeypatch):
    """The bundled paper is laid out in parts, one process each at a time (render/pdf/parallel.py)."""
    from conftest import SOURCE

    monkeypatch.setattr(pdf_engine, "lay_out_part", lambda *args: os.kill(os.getpid(), signal.SIGKILL))
    with pytest.raises(ChildProcessError, match="killed by signal 9"):
        build_module.build(SOURCE, tmp_path / "build")
    assert not (tmp_path / "build").exists()


def test_its_source_errors_come_back_as_they_are(src, tmp_path, monkeypatch):
    def warns(job):
        raise SourceError([pdf_engine.Diagnostic(job.template, 1, "WeasyPrint: Ignored `colour: red`")])

    monkeypatch.setattr(pdf_engine, "lay_out", warns)
    with pytest.raises(SourceError) as caught:
        build_module.build(src, tmp_path / "build", formats=("pdf",))
    assert [d.message for d in caught.value.diagnostics] == ["WeasyPrint: Ignored `colour: red`"]


def test_an_error_that_cannot_cross_still_says_what_it_was(src, tmp_path, monkeypatch):
    class Local(Exception):  # defined in a function: cannot be pickled back to the parent
        pass

    def fails(job):
        raise Local("the layout engine broke")

    monkeypatch.setattr(pdf_engine, "lay_out", fails)
    with pytest.raises(RuntimeError, match="Local: the layout engine broke"):
        build_module.build(src, tmp_path / "build", formats=("pdf",))


def test_stopped_at_once_it_ends_even_under_the_clis_signal_handlers():
    """The CLI's SIGTERM handler raises. A child forked under it and stopped at once used to take the
    SIGTERM in Python's at-fork bookkeeping, ignore it there, and live on: the build then waited
    forever in stop(). The child now starts with the signals blocked until it has its own handlers."""
    from pipeline.cli import _raise_interrupted
    from pipeline.render.pdf.process import PdfProcess

    previous = signal.signal(signal.SIGTERM, _raise_interrupted)
    try:
        for _ in range(40):
            child = PdfProcess()
            child.process.terminate()
            child.process.join(5)
            alive = child.process.is_alive()
            child.stop()
            assert not alive, "a child ignored SIGTERM"
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_through_the_cli_a_killed_pdf_process_is_exit_1_with_a_message(src, tmp_path, monkeypatch, capsys):
    """The machine killing the PDF's process (the out-of-memory killer) is no bug: not exit 3."""
    from pipeline.cli import main

    monkeypatch.setattr(pdf_engine, "lay_out", lambda job: os.kill(os.getpid(), signal.SIGKILL))
    assert main(["build", "--source", str(src), "--out", str(tmp_path / "build"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "the PDF process was killed by signal 9 before it finished the PDF; nothing was written" in err
    assert "internal error" not in err and not (tmp_path / "build").exists()

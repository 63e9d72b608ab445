"""The command line: exit codes, help, messages without tracebacks, the model dump, interruption."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, SOURCE
from pipeline.cli import main

GOLDEN = Path(__file__).parent / "golden"


def run(*args, cwd=ROOT, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd, capture_output=True, text=True, **kw)


@pytest.mark.parametrize("command", ["build", "check", "import", "dump"])
def test_help(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    assert "usage: pipeline" in capsys.readouterr().out


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["build", "--formats", "pdf,mobi"])
    assert info.value.code == 2
    assert "choose from html,pdf,press,epub,docx" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2


def test_check_the_bundled_source(capsys):
    assert main(["check", "--source", str(SOURCE)]) == 0
    assert "ok (8 chapters, 27 headings, 74 paragraphs)" in capsys.readouterr().out


def test_source_errors_exit_1_without_traceback(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(SOURCE, source)
    chapter = next((source / "chapters").glob("02-*.md"))
    chapter.write_text(chapter.read_text() + "\n#### Too deep\n\n[x](#nowhere)\n")
    result = run("build", "--source", str(source), "--out", str(tmp_path / "build"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{chapter}:") and "heading level 4" in lines[0]
    assert "broken internal link '#nowhere'" in lines[1]
    assert not (tmp_path / "build").exists()


def test_dump_matches_the_golden_file(capsys, monkeypatch):
    monkeypatch.chdir(Path(__file__).parent / "corpus")
    assert main(["dump", "--source", "_base"]) == 0
    assert capsys.readouterr().out == (GOLDEN / "base.dump").read_text()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_build_leaves_the_last_good_editions(tmp_path, signum):
    """Interrupt a real build while WeasyPrint lays out the PDF: the old files stay, byte for byte."""
    out = tmp_path / "build"
    assert run("build", "--out", str(out), "--formats", "html,epub", "-q").returncode == 0
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.rglob("*") if p.is_file()}
    # Make the next build differ, so a half-done write would show.
    source = tmp_path / "source"
    shutil.copytree(SOURCE, source)
    (source / "paper.yaml").write_text(
        (source / "paper.yaml").read_text().replace("date: March 2023", "date: April 2023")
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "build", "--source", str(source), "--out", str(out)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONFAULTHANDLER": "0"},
    )
    time.sleep(1.5)  # past reading and templates, inside the PDF layout
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signum, err
    assert "Traceback" not in err
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_a_file_name_the_terminal_cannot_print_is_printed_escaped(tmp_path):
    """A non-UTF-8 file name under a strict UTF-8 stdout used to end an import that had succeeded
    with exit 3, when the closing line was printed."""
    import os
    import subprocess
    import sys

    from conftest import ROOT, paper_text

    text = os.fsencode(tmp_path) + b"/paper-\xff.txt"
    with open(text, "w", encoding="utf-8") as handle:
        handle.write(paper_text())
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "import", text, "--out", str(tmp_path / "src")],
        env=env,
        capture_output=True,
    )
    assert result.returncode == 0, result.stderr
    assert b"paper-\\udcff.txt" in result.stdout or b"paper-\\xff.txt" in result.stdout

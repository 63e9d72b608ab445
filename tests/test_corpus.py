"""The corpus of broken sources (tests/corpus/<case>/): each gives exit 1, exactly the `path:line:
message` lines in its expected.txt on stderr, no traceback, and leaves the build folder as it was.

A case folder holds only what differs from tests/corpus/_base/ (a valid source): files that replace or
add to it, `delete.txt` (base files to remove), `templates/` (a template override folder), `args.txt`
(extra build arguments) and `expected.txt`. Run with UPDATE_CORPUS=1 to rewrite expected.txt files
after a deliberate change of messages (then read the diff).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from pipeline.cli import main

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith("_"))


def assemble(case: str, where: Path) -> list[str]:
    """Lay out the case as where/source (+ where/templates); return the build arguments."""
    case_dir = CORPUS / case
    source = where / "source"
    shutil.copytree(CORPUS / "_base", source)
    for path in sorted(case_dir.rglob("*")):
        relative = path.relative_to(case_dir)
        if path.is_dir() or relative.name in ("expected.txt", "delete.txt", "args.txt"):
            continue
        target = where / relative if relative.parts[0] == "templates" else source / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    if (case_dir / "delete.txt").exists():
        for name in (case_dir / "delete.txt").read_text().split():
            (source / name).unlink()
    args = ["build", "--source", "source", "--out", "build", "-q"]
    if (where / "templates").is_dir():
        args += ["--templates", "templates"]
    if (case_dir / "args.txt").exists():
        args += (case_dir / "args.txt").read_text().split()
    return args


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


def test_corpus_is_large_enough():
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES)
def test_broken_source(case, tmp_path, monkeypatch, capsys):
    args = assemble(case, tmp_path)
    monkeypatch.chdir(tmp_path)
    build = tmp_path / "build"
    build.mkdir()
    (build / "index.html").write_text("last good edition")
    (build / "small-paper.pdf").write_bytes(b"%PDF last good")
    before = snapshot(build)

    code = main(args)

    err = capsys.readouterr().err
    lines = err.splitlines()
    assert code == 1, err
    assert "Traceback" not in err
    assert lines[-1].startswith("pipeline: ") and "nothing was written" in lines[-1]
    problems = "\n".join(lines[:-1]) + "\n"
    expected_file = CORPUS / case / "expected.txt"
    if os.environ.get("UPDATE_CORPUS"):
        expected_file.write_text(problems)
    assert problems == expected_file.read_text()
    assert snapshot(build) == before

"""A machine with only what the README says building needs: no HarfBuzz subsetter (libharfbuzz-subset0).

WeasyPrint then subsets the fonts with fontTools and logs a notice about the machine. That is not a
problem in the source: the build must still write every edition, valid and reproducible, and say once
what would make it faster. The library is hidden from a real `python -m pipeline build` (a subprocess):
where it is installed, a private mount namespace binds /dev/null over it (as root, with `unshare`).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import ROOT, write_rich_source
from pipeline.render.pdf import engine as pdf_engine


def subset_libraries() -> list[str]:
    """The HarfBuzz subsetter's files as the dynamic loader finds them (ldconfig's cache)."""
    listed = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    paths = [line.rsplit("=>", 1)[1].strip() for line in listed.splitlines() if "libharfbuzz-subset" in line]
    return sorted({os.path.realpath(p) for p in paths if os.path.exists(p)})


SUBSET_LIBRARIES = subset_libraries()


def without_subsetter(command: list[str]) -> list[str]:
    """`command`, run where WeasyPrint cannot load the HarfBuzz subsetter."""
    if not SUBSET_LIBRARIES:
        return command  # not installed: this machine is already the fresh one
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("hiding libharfbuzz-subset needs root and unshare")
    binds = " && ".join(f"mount --bind /dev/null {lib}" for lib in SUBSET_LIBRARIES)
    return ["unshare", "--mount", "sh", "-c", f'{binds} && exec "$@"', "sh", *command]


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("SOURCE_DATE_EPOCH", None)
    return subprocess.run(without_subsetter(command), cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_the_subsetter_is_really_hidden(tmp_path):
    probe = "from weasyprint.text.ffi import harfbuzz_subset; print(harfbuzz_subset is None)"
    result = run([sys.executable, "-W", "ignore", "-c", probe], tmp_path)
    assert result.stdout.strip() == "True", result.stderr


@pytest.fixture(scope="module")
def fresh_builds(tmp_path_factory):
    """The rich sample built twice, all four editions, without the subsetter: (folders, stderr of each)."""
    root = tmp_path_factory.mktemp("fresh")
    src = write_rich_source(root / "src")
    results = []
    for name in ("one", "two"):
        command = [sys.executable, "-m", "pipeline", "build", "--source", str(src), "--out", str(root / name)]
        results.append(run(command, root))
    return [root / "one", root / "two"], results


def test_every_edition_is_written_and_the_pdf_is_whole(fresh_builds):
    (out, _), (result, _) = fresh_builds
    assert result.returncode == 0, result.stderr
    assert "problem" not in result.stderr
    for name in ("index.html", "small-paper.pdf", "small-paper.epub", "small-paper.docx"):
        assert (out / name).stat().st_size > 0, name
    reader = PdfReader(out / "small-paper.pdf", strict=True)
    assert len(reader.pages) >= 3
    assert "A claim with a note." in "".join(page.extract_text() for page in reader.pages)
    fonts = {
        font["/BaseFont"]
        for page in reader.pages
        for font in (page["/Resources"].get("/Font") or {}).values()
        if "/BaseFont" in font.get_object()
    }
    assert fonts, "no font embedded"


def test_the_notice_is_one_hint_naming_the_package(fresh_builds):
    _, (result, _) = fresh_builds
    notes = [line for line in result.stderr.splitlines() if line.startswith("pipeline: note:")]
    assert len(notes) == 1, result.stderr
    assert "libharfbuzz-subset0" in notes[0]
    assert "WeasyPrint" not in result.stderr  # the raw log line is not shown


def test_fonttools_subsetting_is_reproducible(fresh_builds):
    """fontTools stamps each subset font with the time now unless SOURCE_DATE_EPOCH is set."""
    (one, two), results = fresh_builds
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    for name in ("small-paper.pdf", "small-paper.epub", "small-paper.docx", "index.html"):
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


def test_the_page_count_comes_from_the_layout(fresh_builds):
    (out, _), (result, _) = fresh_builds
    pages = len(PdfReader(out / "small-paper.pdf").pages)
    assert f"{pages} pages" in result.stderr


# --- the explicit list: what is about the machine, and nothing else --------------------------------


def record(msg: str, *args) -> logging.LogRecord:
    return logging.LogRecord("weasyprint", logging.WARNING, __file__, 1, msg, args, None)


def test_only_the_listed_notices_are_about_the_machine():
    (listed,) = pdf_engine.ENVIRONMENT_NOTICES
    logs = pdf_engine._Logs()
    logs.take(record(listed, "Source Serif 4"))
    logs.take(record(listed, "Source Sans 3"))
    # Near misses are about the document: they still fail the build.
    logs.take(record("Using fontTools instead of HarfBuzz-Subset for font %s; Ignored `colour: red`", "x"))
    logs.take(record("Ignored `%s: %s` at %d:%d, %s.", "colour", "red", 3, 1, "unknown property"))
    logs.take(record('.notdef glyph rendered for Unicode string unsupported by fonts: "%s" (U+%04X)', "☃", 0x2603))
    assert list(logs.notices) == [pdf_engine.ENVIRONMENT_NOTICES[listed]]
    assert len(logs.problems) == 3

"""Shared fixtures: the bundled paper built once per test run, and small sample sources."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from pipeline.build import build
from pipeline.look import load

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's: the browser tests drive it (nothing is downloaded)
PAPER_TEXT = ROOT.parent / "shared" / "paper" / "white-paper.txt"


def paper_text() -> str:
    """The paper as received; skips where shared/ is not beside the project (CI has it)."""
    if not PAPER_TEXT.is_file():
        pytest.skip(f"{PAPER_TEXT} not present")
    return PAPER_TEXT.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def doc():
    return load(SOURCE)[0]  # numbered as the editions are


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The four editions of the bundled paper, built once: {format: path}."""
    out = tmp_path_factory.mktemp("build")
    build(SOURCE, out)
    d = load(SOURCE)[0]
    slug = d.meta.slug
    return {
        "dir": out,
        "html": out / "index.html",
        "pdf": out / f"{slug}.pdf",
        "epub": out / f"{slug}.epub",
        "docx": out / f"{slug}.docx",
    }


def build_alone(fmt: str, out: Path, source: Path = SOURCE) -> Path:
    """One edition of a source, built through the real builder into `out`: its file."""
    build(source, out, formats=(fmt,))
    (path,) = out.glob(f"*.{fmt}")
    return path


MINIMAL_YAML = """\
title: A Small Paper
issuer: Test Office
date: May 2024
released: 2024-05-02
language: en
identifier: urn:uuid:00000000-0000-4000-8000-000000000000
slug: small-paper
contents:
  - chapters/one.md
"""


def write_source(root: Path, files: dict[str, str | bytes]) -> Path:
    """A source folder from {relative path: content}; text is dedented."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


@pytest.fixture
def small_source(tmp_path):
    """A valid one-chapter source folder to break in a test."""
    return write_source(
        tmp_path / "src",
        {"paper.yaml": MINIMAL_YAML, "chapters/one.md": "# One\n\nFirst paragraph.\n\n## Part\n\nSecond.\n"},
    )


@pytest.fixture
def copy_source(tmp_path):
    """A writable copy of the bundled source."""
    dest = tmp_path / "source"
    shutil.copytree(SOURCE, dest)
    return dest


# A small paper with every kind of block the model has (notes, figure, table, lists, quote, code,
# cross-part links), shared by the edition tests; `write_rich_source` adds its image.
RICH = {
    "paper.yaml": MINIMAL_YAML.replace("  - chapters/one.md\n", "  - chapters/one.md\n  - chapters/two.md\n")
    + "subtitle: With Notes, Figures and Tables\nkeywords: [testing]\n",
    "chapters/one.md": """\
        # One

        A claim with a note.[^1] See [the table](#tbl-data) in the next part & more.

        ## A section

        > A quoted paragraph.

        - first item
        - second item

        1. step one
        2. step two

        ```
        code <kept> as text
        ```

        ![A red square on white](images/square.png "A square, as a figure")

        ---

        [^1]: The note's text, with *emphasis*.
        """,
    "chapters/two.md": """\
        # Two

        Back to [the first part](#one) and an [outside link](https://example.org/).

        {#tbl-data}
        | Year | Count |
        | --- | ---: |
        | 2021 | 10 |
        | 2022 | 12 |

        ## Section

        Text.

        ### Deeper

        More.
        """,
}


def write_rich_source(root: Path) -> Path:
    from PIL import Image

    src = write_source(root, RICH)
    (src / "chapters" / "images").mkdir()
    Image.new("RGB", (40, 40), (200, 0, 0)).save(src / "chapters" / "images" / "square.png")
    return src


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (no browser is downloaded), one per test module."""
    api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.is_file():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium")
    with api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            yield chromium
        finally:
            chromium.close()

"""Adding an edition is adding a package and registering it: the tiny plain-text edition in
tests/editions/plaintext is built by the build, listed by the web edition, made by `make` and shown by
`pipeline editions`, with no line of build.py or the Makefile naming it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from pipeline.build import build
from pipeline.render import registry

EDITIONS = Path(__file__).resolve().parent / "editions"
sys.path.insert(0, str(EDITIONS))
import plaintext  # noqa: E402


@pytest.fixture
def text_edition():
    registry.register(plaintext.EDITION)
    yield plaintext.EDITION
    registry.unregister(plaintext.EDITION.name)


def test_a_registered_edition_is_built_and_listed_for_download(text_edition, small_source, tmp_path):
    out = tmp_path / "build"
    results = build(small_source, out, formats=("text", "html"))
    assert [r.format for r in results] == ["text", "html"]
    text_files = list(out.glob("*.txt"))
    assert len(text_files) == 1
    text = text_files[0].read_text(encoding="utf-8")
    assert "I. " in text  # a chapter heading with its number, from the one heading text
    html = (out / "index.html").read_text(encoding="utf-8")
    assert f'href="{text_files[0].name}"' in html and "Plain text" in html


def _plugin_path(tmp_path: Path) -> dict[str, str]:
    """An environment in which the plain-text edition is installed as a distribution would install it:
    a dist-info folder with its entry point, on the path."""
    site = tmp_path / "site"
    info = site / "pipeline_plaintext-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: pipeline-plaintext\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[pipeline.editions]\ntext = plaintext:EDITION\n")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(EDITIONS), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def test_an_installed_plugin_is_listed_and_made_by_make(tmp_path):
    env = _plugin_path(tmp_path)
    listed = subprocess.run(
        [sys.executable, "-m", "pipeline", "editions"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert listed.returncode == 0, listed.stderr
    # the press PDF (optional: built only when named) is the PDF package's second edition
    assert [line.split()[0] for line in listed.stdout.splitlines()] == ["html", "pdf", "press", "epub", "docx", "text"]

    out, mk = tmp_path / "build", tmp_path / "editions.mk"
    make = ["make", "--no-print-directory", f"BUILD={out}", f"EDITIONS_MK={mk}"]
    made = subprocess.run([*make, "text"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stdout + made.stderr
    assert "--formats text" in made.stdout
    slug = "the-construction-of-chinas-internet-rule-of-law-in-the-new-era"
    assert (out / f"{slug}.txt").read_text(encoding="utf-8").startswith("THE CONSTRUCTION")
    again = subprocess.run([*make, "text"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert "pipeline build" not in again.stdout  # nothing changed, nothing runs
    assert "EDITIONS := html pdf epub docx text" in mk.read_text()
    assert "AFTER_html := pdf epub docx text" in mk.read_text()  # the web edition lists it


def test_a_broken_plugin_is_reported_not_a_traceback(tmp_path):
    env = _plugin_path(tmp_path)
    entry = tmp_path / "site" / "pipeline_plaintext-0.1.dist-info" / "entry_points.txt"
    entry.write_text("[pipeline.editions]\ntext = plaintext:NOPE\n")
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "editions"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "edition plug-in 'text' (plaintext:NOPE) cannot be loaded" in result.stderr
    assert "Traceback" not in result.stderr

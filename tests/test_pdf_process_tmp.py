"""The PDF's process leaves no temporary files: WeasyPrint writes the @font-face fonts to a folder it
removes in a finalizer that a forked child ending with os._exit never ran (one `weasyprint-*` folder
left in /tmp per build)."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT, SOURCE


def test_a_pdf_build_leaves_nothing_in_the_temporary_folder(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp)}
    command = [sys.executable, "-m", "pipeline", "build", "--source", str(SOURCE), "--out", str(tmp_path / "out")]
    done = subprocess.run([*command, "--formats", "pdf", "-q"], env=env, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert list(tmp.iterdir()) == []

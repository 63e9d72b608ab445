"""The build folder (`pipeline/buildfolder.py`): a failed, interrupted or killed build leaves either all
the new editions or all the old ones, says which, cleans up after itself at the next build, and keeps
only what the last builds wrote. And the PDF's process never outlives the build."""

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

from conftest import ROOT, SOURCE, write_rich_source
from pipeline import buildfolder
from pipeline.cli import main

EDITIONS = ("index.html", "small-paper.pdf", "small-paper.epub", "small-paper.docx")


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def src(tmp_path):
    return write_rich_source(tmp_path / "src")


def changed(src: Path) -> None:
    """Edit the source, so the next build differs from the last in every edition."""
    one = src / "chapters" / "one.md"
    one.write_text(one.read_text().replace("A claim with a note.", "A changed claim with a note."))


def build(src: Path, out: Path, *extra: str) -> int:
    return main(["build", "--source", str(src), "--out", str(out), "-q", *extra])


# --- failures before the commit: nothing changes ---------------------------------------------------


def test_a_folder_where_a_file_goes_fails_before_anything_is_replaced(src, tmp_path, capsys):
    out = tmp_path / "build"
    assert build(src, out) == 0
    before = snapshot(out)
    (out / "index.html").unlink()
    (out / "index.html").mkdir()
    changed(src)
    assert build(src, out) == 1
    err = capsys.readouterr().err
    assert f"{out / 'index.html'}:1: is a folder, not a file" in err and "Traceback" not in err
    assert snapshot(out) == {k: v for k, v in before.items() if k != "index.html"}  # the PDF is the old one


def test_a_file_where_the_assets_folder_goes(src, tmp_path, capsys):
    out = tmp_path / "build"
    out.mkdir()
    (out / "assets").write_text("not a folder")
    assert build(src, out) == 1
    assert f"{out / 'assets'}:1: is a file, not a folder" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["assets"]


def test_a_build_folder_that_is_a_file(src, tmp_path, capsys):
    out = tmp_path / "build"
    out.write_text("a file")
    assert build(src, out) == 1
    assert f"{out}:1: exists and is not a folder" in capsys.readouterr().err
    assert out.read_text() == "a file"


def namespace_run(script: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """`script` (sh) in a private mount namespace, where it may mount a small or read-only tmpfs."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare for a private tmpfs")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        ["unshare", "--mount", "sh", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )


def test_a_full_disk_leaves_the_last_good_editions_whole(src, tmp_path):
    """The old builder replaced the PDF, then died with exit 3 on the next file: index.html listed the
    old PDF's checksum. Now every byte is staged first."""
    out = tmp_path / "disk" / "build"
    py = f"{sys.executable} -m pipeline build --source {src} --out {out} -q"
    script = f"""set -e
        mkdir -p {tmp_path}/disk && mount -t tmpfs -o size=2m tmpfs {tmp_path}/disk
        {py}
        {sys.executable} -c "
import hashlib, pathlib; p = pathlib.Path('{out}')
print('\\n'.join(f'{{f.relative_to(p)}} {{hashlib.sha256(f.read_bytes()).hexdigest()}}' for f in sorted(p.rglob('*')) if f.is_file()))" > {tmp_path}/before
        sed -i 's/A claim with a note./A changed claim./' {src}/chapters/one.md
        free=$(df --output=avail -B1 {tmp_path}/disk | tail -1)
        head -c $((free - 150000)) /dev/zero > {tmp_path}/disk/filler 2>/dev/null || true
        set +e; {py}; echo "exit=$?"; set -e
        {sys.executable} -c "
import hashlib, pathlib; p = pathlib.Path('{out}')
print('\\n'.join(f'{{f.relative_to(p)}} {{hashlib.sha256(f.read_bytes()).hexdigest()}}' for f in sorted(p.rglob('*')) if f.is_file()))" > {tmp_path}/after
        ls -a {out}
    """
    result = namespace_run(script, tmp_path)
    assert "exit=1" in result.stdout, result.stdout + result.stderr
    assert "cannot write the build folder: the disk is full; it holds the last good editions" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert (tmp_path / "before").read_text() == (tmp_path / "after").read_text()
    assert buildfolder.STAGING not in result.stdout  # the staging is cleared


def test_a_read_only_build_folder(src, tmp_path):
    out = tmp_path / "ro"
    py = f"{sys.executable} -m pipeline build --source {src} --out {out} -q"
    script = f"""set -e
        mkdir -p {out} && mount -t tmpfs -o size=8m tmpfs {out} && mount -o remount,ro {out}
        set +e; {py}; echo "exit=$?"
    """
    result = namespace_run(script, tmp_path)
    assert "exit=1" in result.stdout, result.stdout + result.stderr
    assert "cannot write the build folder: the file system is read-only" in result.stderr


# --- interruptions and kills -----------------------------------------------------------------------


def test_sigterm_during_the_renames_waits_for_them_and_says_so(src, tmp_path, capsys, monkeypatch):
    out = tmp_path / "build"
    assert build(src, out) == 0
    old = snapshot(out)
    changed(src)
    real_replace = os.replace
    calls = []

    def replace_then_term(a, b):
        real_replace(a, b)
        calls.append(b)
        if len(calls) == 2:  # one edition moved in, the others not yet
            os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(buildfolder.os, "replace", replace_then_term)
    monkeypatch.setattr(buildfolder, "COMMITTED", [])
    assert build(src, out) == 128 + signal.SIGTERM
    err = capsys.readouterr().err
    assert "the build was written first: the build folder has the new editions" in err
    new = snapshot(out)
    assert all(new[name] != old[name] for name in EDITIONS)  # every edition is the new one
    assert buildfolder.STAGING not in os.listdir(out)


def test_sigterm_before_the_commit_leaves_every_old_edition(src, tmp_path, capsys, monkeypatch):
    out = tmp_path / "build"
    assert build(src, out) == 0
    old = snapshot(out)
    changed(src)
    real_stage = buildfolder._stage

    def stage_then_term(*args):
        real_stage(*args)
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(buildfolder, "_stage", stage_then_term)
    monkeypatch.setattr(buildfolder, "COMMITTED", [])
    assert build(src, out) == 128 + signal.SIGTERM
    assert "the editions in the build folder are the last good ones" in capsys.readouterr().err
    assert snapshot(out) == old


def killed_during(step: str, src: Path, out: Path) -> subprocess.CompletedProcess:
    """A build killed (SIGKILL) after `step` of the buildfolder's commit: 'stage' or the first rename."""
    script = f"""
import os, signal, sys
from pipeline import buildfolder
from pipeline.cli import main
if {step!r} == "stage":
    real = buildfolder._stage
    def hook(*a):
        real(*a); os.kill(os.getpid(), signal.SIGKILL)
    buildfolder._stage = hook
else:
    real = os.replace
    def hook(a, b):
        real(a, b)
        if b.name.endswith(".docx"): os.kill(os.getpid(), signal.SIGKILL)
    buildfolder.os.replace = hook
sys.exit(main(["build", "--source", {str(src)!r}, "--out", {str(out)!r}, "-q"]))
"""
    return subprocess.run(
        [sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, timeout=300
    )


def test_killed_during_the_commit_the_next_build_finishes_it(src, tmp_path):
    out = tmp_path / "build"
    assert build(src, out) == 0
    old = snapshot(out)
    changed(src)
    assert killed_during("rename", src, out).returncode == -signal.SIGKILL
    half = snapshot(out)
    assert half != old and any(half[name] == old[name] for name in EDITIONS)  # caught half done
    buildfolder.recover(out)  # what the next build does first
    new = snapshot(out)
    assert all(new[name] != old[name] for name in EDITIONS)
    assert buildfolder.STAGING not in os.listdir(out)
    fresh = tmp_path / "fresh"
    assert build(src, fresh) == 0
    assert snapshot(fresh) == new  # exactly the new build


def test_killed_before_the_commit_the_next_build_throws_the_staging_away(src, tmp_path):
    out = tmp_path / "build"
    assert build(src, out) == 0
    old = snapshot(out)
    changed(src)
    assert killed_during("stage", src, out).returncode == -signal.SIGKILL
    assert (out / buildfolder.STAGING).is_dir()  # the leftover the old builder never removed
    buildfolder.recover(out)
    assert snapshot(out) == old and buildfolder.STAGING not in os.listdir(out)


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGHUP])
def test_the_pdf_process_does_not_outlive_a_killed_build(sig, tmp_path):
    """Killed while its PDF's process waited for the print job, the build used to leave that process
    blocked for ever, reparented to PID 1 (it held the build's end of the pipe, so saw no EOF)."""
    from pipeline.build import usable_cores

    if usable_cores() < 2:
        pytest.skip("the PDF has its own process on two cores")
    command = [sys.executable, "-m", "pipeline", "build", "--source", str(SOURCE), "--out", str(tmp_path / "b")]
    build_process = subprocess.Popen(
        command, env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    pdf_children: list[int] = []
    while not pdf_children and time.monotonic() < deadline:
        pdf_children = children(build_process.pid)
        time.sleep(0.05)
    assert pdf_children, "the PDF's process did not start"
    build_process.send_signal(sig)  # before the build has sent it the print job: it waits for one
    build_process.wait(30)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in pdf_children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in pdf_children), "the PDF's process outlived the build"
    if sig == signal.SIGHUP:
        assert build_process.returncode == 128 + signal.SIGHUP
        assert b"last good ones" in build_process.stderr.read()


# --- what stays in the build folder ------------------------------------------------------------------


def test_stale_files_of_a_previous_build_are_removed_and_foreign_ones_kept(src, tmp_path):
    out = tmp_path / "build"
    out.mkdir()
    (out / "notes.txt").write_text("the editor's, not the build's")
    assert build(src, out) == 0
    assert (out / "assets" / "images" / "images" / "square.png").exists() or any(
        p.name == "square.png" for p in (out / "assets").rglob("*")
    )
    # The figure goes, and the paper gets a new slug.
    one = src / "chapters" / "one.md"
    one.write_text(one.read_text().replace('![A red square on white](images/square.png "A square, as a figure")', ""))
    paper = src / "paper.yaml"
    paper.write_text(paper.read_text().replace("slug: small-paper", "slug: renamed-paper"))
    assert build(src, out) == 0
    names = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert not any(name.endswith("square.png") for name in names)
    assert not any(name.startswith("small-paper.") for name in names)
    assert {"renamed-paper.pdf", "renamed-paper.epub", "renamed-paper.docx", "index.html", "notes.txt"} <= names
    assert not (out / "assets" / "images").exists()  # the emptied folder went too


def test_a_build_of_one_edition_keeps_the_others(src, tmp_path):
    out = tmp_path / "build"
    assert build(src, out) == 0
    before = snapshot(out)
    assert build(src, out, "--formats", "docx") == 0
    # The web edition that lists the DOCX is rebuilt with it (the same bytes: the source is unchanged).
    assert snapshot(out) == before


def test_the_manifest_cannot_make_a_build_delete_outside_its_folder(src, tmp_path):
    out = tmp_path / "build"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    out.mkdir()
    (out / buildfolder.MANIFEST).write_text('{"pdf": ["../victim.txt", "/etc/hostname"]}')
    assert build(src, out) == 0
    assert victim.read_text() == "keep me"


def test_temporary_files_an_older_builder_left_are_cleaned(src, tmp_path):
    out = tmp_path / "build"
    out.mkdir()
    leftover = out / ".small-paper.pdf.k3j_x9a2.tmp"  # tempfile.mkstemp's name, as the old builder used
    leftover.write_bytes(b"%PDF half")
    unrelated = out / ".notes.txt.k3j_x9a2.tmp"
    unrelated.write_text("not ours")
    assert build(src, out) == 0
    assert not leftover.exists() and unrelated.exists()


def test_nothing_is_written_through_a_link_in_the_build_folder(src, tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "build"
    out.mkdir()
    (out / "assets").symlink_to(elsewhere)
    (out / "index.html").symlink_to(tmp_path / "victim.html")
    assert build(src, out) == 1
    err = capsys.readouterr().err
    assert f"{out / 'assets'}:1: is a symbolic link; nothing is written through it" in err
    assert f"{out / 'index.html'}:1: is a symbolic link" in err  # every problem at once
    assert not any(elsewhere.iterdir()) and not (tmp_path / "victim.html").exists()

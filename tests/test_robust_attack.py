"""Attacks on the merged fixes of #14 (the build folder, the PDF process, the templates' confinement,
ids and reproducibility), each a defect that was still there, and a property for its class."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import buildfolder
from pipeline.buildfolder import publish
from pipeline.errors import SourceError

# --- the build folder: stale files the editor has replaced since ----------------------------------

# What an editor (or a script) may have put where a file of the last build was.
REPLACEMENTS = ("folder", "link-to-outside-file", "link-to-outside-folder-above", "file-where-its-folder-was")


def _replace_stale(out: Path, relative: str, how: str, outside: Path) -> None:
    target = out / relative
    if how == "folder":
        target.unlink()
        target.mkdir()
        (target / "mine.txt").write_text("the editor's")
    elif how == "link-to-outside-file":
        target.unlink()
        (outside / target.name).write_text("precious")
        target.symlink_to(outside / target.name)
    elif how == "link-to-outside-folder-above":
        shutil.rmtree(target.parent)
        (outside / target.name).write_text("precious")
        target.parent.symlink_to(outside, target_is_directory=True)
    else:
        shutil.rmtree(target.parent)
        target.parent.write_text("the editor's file")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(how=st.sampled_from(REPLACEMENTS), name=st.sampled_from(["old.pdf", "figure 1.png", "a#b?.svg"]))
def test_a_stale_file_replaced_since_is_kept_and_the_build_commits_whole(tmp_path_factory, how, name):
    """Old: the stale removal unlinked through a symlinked folder (deleting a file outside the build
    folder), or failed on a folder in the stale file's place after half the new files were moved in,
    saying 'it holds the last good editions'. New: only a plain file the build wrote is removed."""
    base = tmp_path_factory.mktemp("stale")
    out, outside = base / "build", base / "outside"
    outside.mkdir()
    publish(out, {"html": {"index.html": b"old", f"sub/{name}": b"stale"}, "pdf": {"paper.pdf": b"old"}})
    _replace_stale(out, f"sub/{name}", how, outside)
    before_outside = {p.name: p.read_bytes() for p in outside.iterdir()}
    publish(out, {"html": {"index.html": b"new"}, "pdf": {"paper.pdf": b"new"}})
    assert (out / "index.html").read_bytes() == b"new" and (out / "paper.pdf").read_bytes() == b"new"
    assert {p.name: p.read_bytes() for p in outside.iterdir()} == before_outside
    assert not (out / buildfolder.STAGING).exists()


def test_a_failure_after_the_commit_began_says_so_and_the_next_build_completes_it(tmp_path, monkeypatch):
    """Old: an OSError in the middle of the renames threw the journal away and said the folder held
    the last good editions, though half of it was new. New: the message says which, and the next
    build finishes the commit from the journal it kept."""
    out = tmp_path / "build"
    publish(out, {"html": {"a.html": b"old", "b.html": b"old"}})
    real = os.replace
    calls = []

    def failing(src, dst):
        calls.append(dst)
        if str(dst).endswith("b.html"):
            raise OSError(28, "No space left on device", str(dst))
        return real(src, dst)

    monkeypatch.setattr(buildfolder.os, "replace", failing)
    with pytest.raises(SourceError) as caught:
        publish(out, {"html": {"a.html": b"new", "b.html": b"new"}})
    message = str(caught.value)
    assert "last good editions" not in message and "next build completes them" in message
    monkeypatch.setattr(buildfolder.os, "replace", real)
    buildfolder.recover(out)
    assert (out / "a.html").read_bytes() == b"new" and (out / "b.html").read_bytes() == b"new"
    assert not (out / buildfolder.STAGING).exists()


# --- the templates folder: files of odd types ------------------------------------------------------

ODD_KINDS = ("fifo", "folder", "link-to-fifo", "link-to-folder")
TEMPLATE_NAMES = ("html/index.html", "html/style.css", "epub/style.css", "pdf/print.css", "theme.yaml", "extra.css")


def _make_odd(folder: Path, name: str, kind: str) -> None:
    target = folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    else:
        inside = folder / "inside"
        if not os.path.lexists(inside):
            os.mkfifo(inside) if kind == "link-to-fifo" else inside.mkdir()
        target.symlink_to(inside)


class _Hung(Exception):
    pass


def _alarm(signum, frame):
    raise _Hung()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(ODD_KINDS), name=st.sampled_from(TEMPLATE_NAMES))
def test_a_template_file_that_is_not_a_plain_file_is_a_problem(tmp_path_factory, kind, name):
    """Old: a FIFO (or a link to one) named like a template or stylesheet blocked the build for ever
    (the read never returns); a link to a folder gave exit 3 (IsADirectoryError, TemplateNotFound);
    a folder or FIFO named like a template was silently skipped. New: `path:1: is a FIFO, not a file`."""
    import signal

    from pipeline.templates import Templates

    folder = tmp_path_factory.mktemp("tpl")
    _make_odd(folder, name, kind)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(5)
    try:
        with pytest.raises(SourceError) as caught:
            templates = Templates(folder)
            templates.check_syntax()
            templates.find(name)
    except _Hung:
        pytest.fail(f"reading {name} ({kind}) never returned")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert any("not a file; a template file must be a plain file" in d.message for d in caught.value.diagnostics)
    assert all(d.path.startswith(str(folder)) for d in caught.value.diagnostics)


# --- the PDF process: a machine that cannot give one -----------------------------------------------


@pytest.mark.parametrize("errno_", [11, 12, 24])  # EAGAIN (process limit), ENOMEM, EMFILE (no descriptor)
def test_a_pdf_process_that_cannot_start_leaves_the_pdf_to_the_build(tmp_path, monkeypatch, errno_):
    """Old: a fork or pipe that failed (ulimit -u, no memory, no file descriptor left) was exit 3.
    New: the PDF is laid out in the build's own process, as on a one-core machine."""
    from conftest import write_rich_source
    from pipeline import build as build_module

    def cannot(*args, **kwargs):
        raise OSError(errno_, os.strerror(errno_))

    monkeypatch.setattr("pipeline.render.pdf.process.PdfProcess", cannot)
    monkeypatch.setattr(build_module, "usable_cores", lambda: 2)
    src = write_rich_source(tmp_path / "src")
    results = build_module.build(src, tmp_path / "out", formats=("pdf",))
    assert [r.format for r in results] == ["pdf"] and results[0].pages


# --- the web edition lists the downloads as they are ------------------------------------------------


@pytest.mark.parametrize("formats", ["pdf", "epub", "docx", "pdf,docx"])
def test_a_build_of_one_download_rebuilds_the_web_edition_that_lists_it(tmp_path, formats):
    """Old: `build --formats pdf` after a full build replaced the PDF and left index.html listing the
    old PDF's size and SHA-256. New: the published web edition is rebuilt with the new downloads."""
    import hashlib
    import re

    from conftest import write_rich_source
    from pipeline.cli import main

    src, out = write_rich_source(tmp_path / "src"), tmp_path / "out"
    assert main(["build", "--source", str(src), "--out", str(out), "-q", "--formats", "html,pdf,epub,docx"]) == 0
    one = src / "chapters" / "one.md"
    one.write_text(one.read_text() + "\nA paragraph added later.\n")
    assert main(["build", "--source", str(src), "--out", str(out), "-q", "--formats", formats]) == 0
    listed = set(re.findall(r"[0-9a-f]{64}", (out / "index.html").read_text()))
    for edition in ("pdf", "epub", "docx"):
        (file,) = out.glob(f"*.{edition}")
        assert hashlib.sha256(file.read_bytes()).hexdigest() in listed, edition


def test_the_downloads_are_read_under_the_lock_another_build_waits_for(tmp_path, monkeypatch):
    """Old: a web-only build read the downloads' bytes from the build folder before taking the lock,
    so a build that committed a new PDF meanwhile left index.html listing the old PDF's SHA-256.
    New: the folder is held from that read to the commit; the other build waits."""
    import threading

    from conftest import write_rich_source
    from pipeline import build as build_module

    src, out = write_rich_source(tmp_path / "src"), tmp_path / "out"
    build_module.build(src, out, formats=("pdf", "html"))
    (pdf,) = out.glob("*.pdf")
    real = build_module.downloads
    other = threading.Thread(target=publish, args=(out, {"pdf": {pdf.name: b"another build's PDF"}}))
    waited = []

    def downloads_while_another_build_commits(*args):
        other.start()
        other.join(1.0)
        waited.append(other.is_alive())
        return real(*args)

    monkeypatch.setattr(build_module, "downloads", downloads_while_another_build_commits)
    build_module.build(src, out, formats=("html",))
    other.join()
    assert waited == [True]


# --- a build folder inside the source or the templates folder ---------------------------------------


@pytest.mark.parametrize(
    ("inside", "victim"),
    [
        ("templates/html", "index.html"),  # the designer's page template, where the built page goes
        ("templates", "assets/style.css"),  # a designer's own file where the web edition's CSS goes
        ("source", "assets/icon.svg"),  # a source image where the generated icon goes
        ("source", "small-paper.pdf"),  # a file of the source named like an edition
    ],
)
def test_a_build_never_replaces_a_file_of_its_source_or_templates(tmp_path, capsys, inside, victim):
    """Old: `--out templates/html` replaced the designer's html/index.html template with the built
    page (and `--out source` a source file named like an edition or asset). New: refused, all at
    once, before anything is written; a second build into the same folder is still allowed."""
    from conftest import write_rich_source
    from pipeline.cli import main

    src = write_rich_source(tmp_path / "source")
    tpl = tmp_path / "templates"
    (tpl / "html").mkdir(parents=True)
    (tpl / "html" / "index.html").write_text('{% extends "builtin/html/index.html" %}\n')
    folder = tmp_path / inside
    (folder / victim).parent.mkdir(parents=True, exist_ok=True)
    mine = (folder / victim).read_bytes() if (folder / victim).exists() else b"the editor's own file\n"
    (folder / victim).write_bytes(mine)
    argv = ["build", "--source", str(src), "--templates", str(tpl), "--out", str(folder), "-q"]
    assert main([*argv, "--formats", "html,pdf"]) == 1
    err = capsys.readouterr().err
    assert f"{folder / victim}:1: is a file of the source or templates folder" in err
    assert (folder / victim).read_bytes() == mine
    (folder / victim).unlink()
    assert main([*argv, "--formats", "html,pdf"]) == 0  # the build's own files, next time too
    assert main([*argv, "--formats", "html,pdf"]) == 0


# --- templates: output no edition can carry; syntax errors without a file name ---------------------

UNCARRIED = st.one_of(
    st.integers(0, 8), st.sampled_from([11, 12]), st.integers(14, 31), st.integers(0xD800, 0xDFFF), st.just(0xFFFE)
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=UNCARRIED, how=st.sampled_from(["escape", "format"]), line=st.integers(1, 5))
def test_a_template_output_no_edition_can_carry_is_a_problem_at_its_line(tmp_path_factory, code, how, line):
    """Old: `{{ "\\udcff" }}` (a lone surrogate) was exit 3 (UnicodeEncodeError), and `{{ "\\x00" }}`
    or `{{ '%c'|format(11) }}` published a character XML cannot carry (an invalid EPUB). New: the
    template's problem, at the line of the expression."""
    from pipeline.templates import Templates

    folder = tmp_path_factory.mktemp("tpl")
    (folder / "html").mkdir()
    expression = f'{{{{ "\\u{code:04x}" }}}}' if how == "escape" else f"{{{{ '%c'|format({code}) }}}}"
    (folder / "html" / "page.html").write_text("<p>\n" * (line - 1) + expression + "\n")
    with pytest.raises(SourceError) as caught:
        Templates(folder).render("html/page.html")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.path.endswith("page.html") and diagnostic.line == line
    assert f"U+{code:04X}" in diagnostic.message


def test_a_template_syntax_error_without_a_file_name_is_shown_at_the_designers_file(tmp_path, monkeypatch):
    """Old: an unclosed `{% raw %}` was reported as `html/index.html:1` (no folder: the built-in
    templates' path, as a user would read it). New: the designer's file."""
    from pipeline.templates import Templates

    monkeypatch.chdir(tmp_path)
    (tmp_path / "tpl" / "html").mkdir(parents=True)
    (tmp_path / "tpl" / "html" / "index.html").write_text("{% raw %}{{ unclosed\n")
    with pytest.raises(SourceError) as caught:
        Templates(tmp_path / "tpl").check_syntax()
    assert [d.path for d in caught.value.diagnostics] == [str(Path("tpl") / "html" / "index.html")]


# --- theme values no edition can carry ----------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    code=st.one_of(UNCARRIED, st.just(0x7F)),
    key=st.sampled_from(["cover_text", "body_font", "heading_font"]),
    before=st.text(alphabet="ab c", max_size=5),
)
def test_a_theme_value_no_edition_can_carry_is_a_problem_of_the_theme(tmp_path_factory, code, key, before):
    """Old: `cover_text: "\\u0000"` (or a lone surrogate, "\\ud800") in theme.yaml passed the theme
    check and failed in the EPUB's cover (exit 3 for the surrogate, or blamed on the built-in
    cover.xhtml). New: `theme.yaml:line: theme setting ... has the character U+0000`."""
    from pipeline.theme import resolve

    folder = tmp_path_factory.mktemp("tpl")
    (folder / "theme.yaml").write_text(f'# a theme\n{key}: "{before}\\u{code:04x}"\n', encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        resolve(folder, None, folder / "paper.yaml")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.path.endswith("theme.yaml") and diagnostic.line == 2
    assert f"has the character U+{code:04X}" in diagnostic.message


# --- the journal a killed build left is a file anyone can edit -----------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


def _hostile_journals(victim: Path):
    names = st.sampled_from([str(victim), f"../{victim.name}", "../../" + victim.name, "", "index.html", None, 5])
    return st.one_of(
        JSON,
        st.fixed_dictionaries({"write": st.lists(names, max_size=3), "delete": st.lists(names, max_size=3)}),
        st.fixed_dictionaries({"write": JSON, "delete": JSON}),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_hostile_or_corrupt_journal_is_never_obeyed_outside_the_build_folder(tmp_path_factory, data):
    """Old: a journal naming '/…/victim.txt' to delete made the next build delete that file outside
    the build folder, and a journal of another shape (a list, a number for 'write') was exit 3
    (TypeError). New: a journal this builder did not write is thrown away, as a torn one is."""
    import json

    base = tmp_path_factory.mktemp("journal")
    out, victim = base / "build", base / "victim.txt"
    publish(out, {"html": {"index.html": b"old"}})
    victim.write_text("precious")
    journal = data.draw(_hostile_journals(victim))
    (out / buildfolder.STAGING).mkdir()
    (out / buildfolder.STAGING / buildfolder.JOURNAL).write_text(json.dumps(journal))
    publish(out, {"html": {"index.html": b"new"}})
    assert victim.read_text() == "precious"
    assert (out / "index.html").read_bytes() == b"new" and not (out / buildfolder.STAGING).exists()


@pytest.mark.parametrize("how", ["file", "link-to-folder", "link-to-file", "dangling-link"])
def test_a_staging_that_is_not_a_folder_of_ours_is_removed_never_followed(tmp_path, how):
    """Old: a `.pipeline-staging` that was a file or a symbolic link made every later build fail
    ('cannot write the build folder: File exists', named at the build folder), and a link to a
    folder was followed to read a journal there. New: it is removed (the link, not its target)."""
    out, elsewhere = tmp_path / "build", tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("precious")
    publish(out, {"html": {"index.html": b"old"}})
    staging = out / buildfolder.STAGING
    if how == "file":
        staging.write_text("not ours")
    else:
        staging.symlink_to(
            {"link-to-folder": elsewhere, "link-to-file": elsewhere / "keep.txt"}.get(how, tmp_path / "x")
        )
    publish(out, {"html": {"index.html": b"new"}})
    assert (out / "index.html").read_bytes() == b"new" and not os.path.lexists(staging)
    assert [p.name for p in elsewhere.iterdir()] == ["keep.txt"] and (elsewhere / "keep.txt").read_text() == "precious"


def test_a_manifest_that_is_a_folder_is_found_before_the_commit(tmp_path):
    """Old: the build moved its new editions in, then failed to replace the manifest (a folder), and
    every later build failed in the recovery with exit 3. New: `path:1: is a folder` before any write."""
    out = tmp_path / "build"
    publish(out, {"html": {"index.html": b"old"}})
    (out / buildfolder.MANIFEST).unlink()
    (out / buildfolder.MANIFEST).mkdir()
    with pytest.raises(SourceError, match="is a folder, not a file"):
        publish(out, {"html": {"index.html": b"new"}})
    assert (out / "index.html").read_bytes() == b"old" and not (out / buildfolder.STAGING).exists()


def test_a_manifest_that_is_a_link_is_not_read(tmp_path):
    """Old: a manifest that was a link to a file elsewhere was read (a file outside the source and
    template folders), and its list obeyed. New: not read; the commit replaces the link itself."""
    import json

    out, elsewhere = tmp_path / "build", tmp_path / "elsewhere.json"
    publish(out, {"html": {"index.html": b"old", "mine.txt": b"the build's"}})
    elsewhere.write_text(json.dumps({"html": ["mine.txt"]}))
    (out / buildfolder.MANIFEST).unlink()
    (out / buildfolder.MANIFEST).symlink_to(elsewhere)
    publish(out, {"html": {"index.html": b"new"}})
    assert (out / "mine.txt").exists()  # not removed on the word of a file outside the folder
    assert not (out / buildfolder.MANIFEST).is_symlink() and json.loads(elsewhere.read_text()) == {"html": ["mine.txt"]}


# --- ids a designer's template adds ----------------------------------------------------------------------

TEMPLATE_FOR = {
    "epub": (
        "epub/chapter.xhtml",
        '{% extends "builtin/epub/chapter.xhtml" %}{% block chapter %}ELEMENT{{ super() }}{% endblock %}',
    ),
    "html": (
        "html/index.html",
        '{% extends "builtin/html/index.html" %}{% block header %}ELEMENT{{ super() }}{% endblock %}',
    ),
}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edition=st.sampled_from(sorted(TEMPLATE_FOR)),
    value=st.sampled_from(["one", "a-section", "fn-1", "tbl-data", "", "two words"]),
)
def test_an_id_a_designers_template_adds_twice_or_malformed_is_its_problem(tmp_path_factory, edition, value):
    """Old: `<div id="one">` in a designer's chapter template, beside the heading of that
    id, gave a duplicate id (EPUBCheck RSC-005; links that jump to the wrong place on the web), and
    `id="two words"` an invalid one; the build said nothing. New: `template:1: … id … is used twice`."""
    from conftest import write_rich_source
    from pipeline.build import build

    base = tmp_path_factory.mktemp("ids")
    src = write_rich_source(base / "src")
    name, text = TEMPLATE_FOR[edition]
    element = f'<p id="{value}">x</p>' if edition == "epub" else f'<div id="{value}">x</div>'
    (base / "tpl" / name).parent.mkdir(parents=True)
    (base / "tpl" / name).write_text(text.replace("ELEMENT", element))
    try:
        build(src, base / "out", formats=(edition,), templates=base / "tpl")
    except SourceError as exc:
        assert any(d.path.endswith(name) and f"id {value!r}" in d.message for d in exc.diagnostics), exc
    else:
        pytest.fail(f"no problem for id {value!r} in {name}")


def test_a_fifo_where_an_edition_goes_is_named_a_fifo(tmp_path):
    """Old: a FIFO (or a device) where index.html goes was reported as 'is a folder, not a file'.
    New: 'is a FIFO, not a file' (the check is folder.check_targets, shared with import and templates)."""
    out = tmp_path / "build"
    out.mkdir()
    os.mkfifo(out / "index.html")
    with pytest.raises(SourceError) as caught:
        publish(out, {"html": {"index.html": b"new"}})
    assert str(caught.value) == f"{out / 'index.html'}:1: is a FIFO, not a file"


@pytest.mark.parametrize("text", ["", "   \n", "<!-- nothing -->\n", "{# a comment #}\n"])
def test_a_designers_page_template_that_renders_empty_is_not_an_internal_error(tmp_path, text):
    """The id check of the rendered page must not fail on a page with no elements at all."""
    from conftest import write_rich_source
    from pipeline.build import build

    src = write_rich_source(tmp_path / "src")
    (tmp_path / "tpl" / "html").mkdir(parents=True)
    (tmp_path / "tpl" / "html" / "index.html").write_text(text)
    build(src, tmp_path / "out", formats=("html",), templates=tmp_path / "tpl")
    assert (tmp_path / "out" / "index.html").read_text() == text.replace("{# a comment #}\n", "")


@pytest.mark.parametrize(
    "argv",
    [
        ["build", "--source", "SRC", "--out", ""],
        ["build", "--source", "SRC", "--out", "  "],
        ["build", "--source", "", "--out", "OUT"],
        ["check", "--source", ""],
        ["import", "TEXT", "--out", ""],
        ["templates", ""],
    ],
)
def test_an_empty_folder_name_is_refused_not_the_working_folder(tmp_path, monkeypatch, capsys, argv):
    """Old: `build --out ""` (a script's unset $OUT) built into the working folder, writing index.html
    and assets/ beside whatever is there. New: `--out:1: is empty`, exit 1, nothing written."""
    from conftest import write_rich_source
    from pipeline.cli import main

    src = write_rich_source(tmp_path / "src")
    (tmp_path / "paper.txt").write_text("Title\n\n1、 One\n\nWords.\n")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    names = {"SRC": str(src), "OUT": str(tmp_path / "out"), "TEXT": str(tmp_path / "paper.txt")}
    assert main([names.get(a, a) for a in argv]) == 1
    assert "1: is empty; name the folder" in capsys.readouterr().err
    assert list(work.iterdir()) == []


def test_the_web_edition_never_lists_a_download_through_a_link(tmp_path):
    """Old: a web-only build read `<slug>.pdf` in the build folder even when it was a link to a file
    outside (read, and its size and SHA-256 published). New: a link is not read, nor listed."""
    from conftest import write_rich_source
    from pipeline import build as build_module

    src, out = write_rich_source(tmp_path / "src"), tmp_path / "out"
    build_module.build(src, out, formats=("pdf",))
    (pdf,) = out.glob("*.pdf")
    outside = tmp_path / "secret.txt"
    outside.write_text("not for the build")
    pdf.unlink()
    pdf.symlink_to(outside)
    build_module.build(src, out, formats=("html",))
    assert pdf.name not in (out / "index.html").read_text()

"""`python -m pipeline` / `pipeline`: build, check, import, dump.

Exit codes: 0 ok, 1 problems in the source or templates (each printed as `path:line: message`) or a
machine that could not finish the build (a full disk, the PDF's process killed),
2 usage or a broken edition plug-in, 3 an internal error (a bug: please report it), 130/143/129 interrupted (SIGINT/SIGTERM/SIGHUP).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from pathlib import Path

from .errors import SourceError

# `--pdf-variant press`: not a variant of the reading PDF, but "the press PDF as well" (its edition).
PRESS_VARIANT = "press"
DEFAULT_PDF_VARIANT = "pdf/ua-1"


def _formats(value: str) -> tuple[str, ...]:
    from .build import formats

    chosen = tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))
    unknown = [v for v in chosen if v not in formats()]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"choose from {','.join(formats())} (got {value!r})")
    return chosen


def parser() -> argparse.ArgumentParser:
    from .render import registry

    p = argparse.ArgumentParser(prog="pipeline", description="Publish one paper source as web, PDF, EPUB and DOCX.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    b = sub.add_parser("build", help="build the editions into the build folder", description="Build the editions.")
    b.add_argument("--source", default="source", help="source folder with paper.yaml (default: source)")
    b.add_argument("--out", default="build", help="build folder (default: build)")
    b.add_argument(
        "--formats", type=_formats, default=None, help=f"comma-separated: {','.join(registry.names())} (default: all)"
    )
    b.add_argument("--templates", default=None, help="folder searched before the built-in templates")
    b.add_argument(
        "--pdf-variant",
        default=DEFAULT_PDF_VARIANT,
        help=f"WeasyPrint PDF variant of the reading PDF: {DEFAULT_PDF_VARIANT} (default), pdf/a-3u, …; or "
        f"{PRESS_VARIANT}: build the press PDF (PDF/X-4, bleed, crop marks) besides, as <slug>-press.pdf",
    )
    b.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")

    k = sub.add_parser(
        "catalogue",
        help="build a folder of papers into one site",
        description="Build each paper folder (<slug>/paper.yaml) of DIR into OUT/<slug>/ when it changed, in "
        "parallel, then the site: home page, Atom feed, sitemap, search (pipeline/catalogue/).",
    )
    k.add_argument("--papers", required=True, help="folder of paper source folders, with an optional catalogue.yaml")
    k.add_argument("--out", required=True, help="the site's folder")
    k.add_argument("--templates", default=None, help="folder searched before the built-in templates")
    k.add_argument("--executor", default="local", help="local (the usable cores, default) or dask://HOST:PORT")
    k.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")

    c = sub.add_parser("check", help="check the source and report every problem", description="Check the source.")
    c.add_argument("--source", default="source", help="source folder (default: source)")
    c.add_argument("--templates", default=None, help="folder searched before the built-in templates (checked too)")

    i = sub.add_parser(
        "import", help="turn a plain-text white paper into a source folder", description="Import a plain-text paper."
    )
    i.add_argument("text", help="the plain-text paper")
    i.add_argument("--out", required=True, help="the source folder to create")
    i.add_argument("--force", action="store_true", help="replace the files in a non-empty --out folder")
    i.add_argument(
        "--encoding",
        default=None,
        help="the text's encoding, e.g. gb18030 (default: UTF-8, else detected where that is unambiguous)",
    )

    t = sub.add_parser(
        "templates",
        help="copy the built-in templates to a folder to customize",
        description="Write an editable copy of the built-in templates (HTML, print, EPUB, CSS, fonts, the DOCX "
        "reference document). Build with --templates DIR to use it; delete any file you do not change.",
    )
    t.add_argument("dir", help="the folder to create")
    t.add_argument("--force", action="store_true", help="write into a non-empty folder, replacing files")

    s = sub.add_parser(
        "serve",
        help="build, serve a live preview of the four editions, rebuild on every save",
        description="Build, then serve the build and a preview page of all four editions on loopback; watch the "
        "source and templates and update the open page after each save. Ctrl-C stops. Needs the `serve` extra.",
    )
    s.add_argument("--source", default="source", help="source folder with paper.yaml (default: source)")
    s.add_argument("--out", default="build", help="build folder (default: build)")
    s.add_argument("--templates", default=None, help="folder searched before the built-in templates")
    s.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    s.add_argument("--host", default="127.0.0.1", help="interface (default: 127.0.0.1, this machine only)")
    s.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")

    e = sub.add_parser(
        "editions",
        help="list the editions a build can make",
        description="List the editions: name, label, the file each writes, and what each can do.",
    )
    e.add_argument("--source", default="source", help="source folder, for the file names (default: source)")
    e.add_argument("--make", action="store_true", help="print them as make variables (the Makefile includes these)")

    d = sub.add_parser("dump", help="print the document model as text", description="Print the model.")
    d.add_argument("--source", default="source", help="source folder (default: source)")
    d.add_argument(
        "--templates", default=None, help="folder searched before the built-in templates (its theme numbers)"
    )
    for edition in registry.editions():  # the editions' own commands (the DOCX: reference-docx)
        for command in edition.commands:
            c = sub.add_parser(command.name, help=command.help, description=command.description)
            command.arguments(c)
            c.set_defaults(run=command.run)
    return p


class Interrupted(BaseException):
    """SIGTERM, raised like Ctrl-C so half-written temporary files are removed on the way out."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_interrupted(signum, frame) -> None:
    raise Interrupted(signum)


def main(argv: list[str] | None = None) -> int:
    from .render.registry import PluginError

    try:
        args = parser().parse_args(argv)
    except PluginError as exc:  # an installed plug-in is broken: the machine's problem, said plainly
        print(f"pipeline: {exc}", file=sys.stderr)
        return 2
    # A path that is not valid in the terminal's encoding (a non-UTF-8 file name) is printed escaped,
    # never an error after the work is done.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    if threading.current_thread() is threading.main_thread():
        # SIGTERM and SIGHUP (the terminal closed) end a build as Ctrl-C does: cleanly, the build
        # folder as it was, the PDF's process stopped.
        signal.signal(signal.SIGTERM, _raise_interrupted)
        signal.signal(signal.SIGHUP, _raise_interrupted)
    try:
        _refuse_empty_folders(args)
        return COMMANDS[args.command](args) if args.command in COMMANDS else args.run(args)
    except SourceError as exc:
        for diagnostic in exc.diagnostics:
            print(diagnostic, file=sys.stderr)
        count = len(exc.diagnostics)
        print(f"pipeline: {count} problem{'s' if count != 1 else ''}; nothing was written", file=sys.stderr)
        return 1
    except ChildProcessError as exc:  # the machine killed the PDF's process (out of memory): not a bug
        print(f"pipeline: {exc}; nothing was written (is the machine out of memory?)", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, Interrupted) as exc:
        from .buildfolder import COMMITTED

        if COMMITTED:  # the signal came while the build was moving its files in, and waited for it
            print(
                "pipeline: interrupted; the build was written first: the build folder has the new editions",
                file=sys.stderr,
            )
        else:
            print("pipeline: interrupted; the editions in the build folder are the last good ones", file=sys.stderr)
        return 128 + getattr(exc, "signum", signal.SIGINT)
    except Exception as exc:  # a bug, not the user's mistake: say so plainly, no traceback
        print(f"pipeline: internal error: {type(exc).__name__}: {exc} (please report this)", file=sys.stderr)
        return 3


def _refuse_empty_folders(args) -> None:
    """`--out ""` (a script's unset variable) would be the working folder: refused, not built into."""
    from .errors import Collector

    errors = Collector()
    for option, attribute in (("--out", "out"), ("--source", "source"), ("DIR", "dir"), ("--papers", "papers")):
        value = getattr(args, attribute, None)
        if isinstance(value, str) and not value.strip():
            errors.add(option, 1, "is empty; name the folder (use . for the working folder)")
    errors.raise_if_any()


def cmd_build(args) -> int:
    from .build import build

    def progress(result) -> None:
        if not args.quiet:
            from .render import human_size

            pages = f"{result.pages} pages" if result.pages else ""
            line = f"  {result.format:<5} {human_size(result.size):>9}  {pages:>10}  {result.seconds:6.2f} s"
            print(line, file=sys.stderr)

    start = time.perf_counter()
    formats, variant = args.formats, args.pdf_variant
    if variant == PRESS_VARIANT:
        from .render import registry

        formats = tuple(dict.fromkeys([*(formats or registry.default_names()), PRESS_VARIANT]))
        variant = DEFAULT_PDF_VARIANT
    results = build(
        args.source,
        args.out,
        formats=formats,
        templates=args.templates,
        options={"pdf_variant": variant},
        progress=progress,
    )
    if not args.quiet:
        names = ", ".join(r.format for r in results)
        print(f"built {names} into {args.out}/ in {time.perf_counter() - start:.2f} s", file=sys.stderr)
        # Hints about the machine (a faster library to install): not problems, and each said once.
        for notice in dict.fromkeys(n for r in results for n in r.notices):
            print(f"pipeline: note: {notice}", file=sys.stderr)
    return 0


def cmd_catalogue(args) -> int:
    import importlib.util

    from .catalogue.run import build_catalogue

    missing = [m for m in ("feedgen", "pagefind_bin") if importlib.util.find_spec(m) is None]
    if missing:
        print(
            f"pipeline: catalogue needs the `catalogue` extra ({', '.join(missing)} missing): "
            "pip install -e '.[catalogue]'",
            file=sys.stderr,
        )
        return 2

    start = time.perf_counter()

    def progress(line: str) -> None:
        if not args.quiet or "FAILED" in line or line.startswith("    "):
            print(line, file=sys.stderr)

    summary = build_catalogue(
        args.papers, args.out, templates=args.templates, executor=args.executor, progress=progress
    )
    if not args.quiet:
        print(
            f"catalogue: {len(summary.built)} built, {len(summary.unchanged)} unchanged, {len(summary.failed)} failed; "
            f"{len(summary.listed)} listed in {args.out}/index.html in {time.perf_counter() - start:.2f} s",
            file=sys.stderr,
        )
        for note in summary.notes:
            print(f"pipeline: note: {note}", file=sys.stderr)
    return 1 if summary.failed else 0


def cmd_check(args) -> int:
    from .look import load

    doc, _look = load(args.source, args.templates)  # the source, the templates and the theme, as a build reads them
    sections = sum(1 for _ in doc.sections())
    paragraphs = sum(1 for _ in doc.paragraphs())
    print(f"{args.source}: ok ({len(doc.chapters)} chapters, {sections} headings, {paragraphs} paragraphs)")
    return 0


def cmd_import(args) -> int:
    from .encoding import read_paper
    from .errors import Collector
    from .importer import import_paper, write_import
    from .paperstyle import fit

    errors = Collector()
    decoded = read_paper(Path(args.text), errors, args.encoding, fit)
    errors.raise_if_any()
    imported = import_paper(decoded.text, args.text)
    files = imported.files
    out = Path(args.out)
    removed = write_import(files, out, Path(args.text), args.force)
    chapters = sum(1 for name in files if name.endswith(".md"))
    print(f"imported {args.text} into {out}/ ({chapters} chapter files)")
    if decoded.detected:
        print(f"{args.text}: not UTF-8; read as {decoded.encoding} (detected); give --encoding if that is wrong")
    elif args.encoding:
        print(f"{args.text}: read as {decoded.encoding}, as --encoding says")
    if removed:
        print(f"removed the earlier import's chapter files the text no longer has: {', '.join(removed)}")
    print("what the importer took the text to be (check it, then edit paper.yaml and the chapters):")
    for line in imported.guess.summary():
        print(line)
    return 0


def cmd_dump(args) -> int:
    from .dump import dump
    from .look import load

    sys.stdout.write(dump(load(args.source, args.templates)[0]))  # numbered as the editions are
    return 0


def cmd_editions(args) -> int:
    from .makevars import file_names, make_variables
    from .render import registry

    if args.make:
        sys.stdout.write(make_variables(Path(args.source), Path.cwd().resolve()))
        return 0
    names = file_names(Path(args.source))
    for e in registry.editions():
        can = [
            *(["download"] if e.downloadable else []),
            *([f"download if the theme says {e.download_setting}: true"] if e.download_setting else []),
            *([f"optional: built only when named (make {e.name})"] if e.optional else []),
            *(["lists the downloads"] if e.lists_downloads else []),
            *(["own process"] if e.worker is not None else []),
        ]
        print(f"{e.name:<6} {e.label:<12} {names[e.name] or '?':<40} {', '.join(can)}")
    return 0


def cmd_serve(args) -> int:
    try:
        from .serve import CannotListen, serve
    except ImportError as exc:
        print(
            f"pipeline: serve needs the `serve` extra ({exc.name} is missing): pip install -e '.[serve]'",
            file=sys.stderr,
        )
        return 2
    out = Path(args.out)
    try:
        serve(
            Path(args.source), out, Path(args.templates) if args.templates else None, args.host, args.port, args.quiet
        )
    except CannotListen as exc:
        print(f"pipeline: {exc}; choose another --port or --host", file=sys.stderr)
        return 2
    if not args.quiet:
        print(f"pipeline: stopped; {out}/ holds the last good build", file=sys.stderr)
    return 0


def cmd_templates(args) -> int:
    from .errors import Collector
    from .folder import check_folder, check_targets, os_errors, write_files
    from .fonts import CJK_FOLDER
    from .templates import BUILTIN

    out = Path(args.dir)
    errors = Collector()
    # Everything of templates/ but hidden files and caches; the designer's other files are kept. Not the
    # CJK fonts either, when installed (80 MB, `make fonts-cjk`): they are found in the built-in folder.
    names = sorted(
        str(p.relative_to(BUILTIN))
        for p in BUILTIN.rglob("*")
        if p.is_file()
        and not any(part.startswith(".") or part == "__pycache__" for part in p.relative_to(BUILTIN).parts)
        and not p.relative_to(BUILTIN).is_relative_to(CJK_FOLDER)
    )
    with os_errors(out):
        check_folder(out, errors)
        errors.raise_if_any()
        if out.is_dir() and any(out.iterdir()) and not args.force:
            errors.add(out, 1, "folder is not empty; use --force to replace its files")
        check_targets(out, names, errors)
        errors.raise_if_any()
        write_files(out, {name: (BUILTIN / name).read_bytes() for name in names})
    print(f"wrote {len(names)} template files to {out}/; build with --templates {out} (or make all TEMPLATES={out})")
    return 0


COMMANDS = {
    "build": cmd_build,
    "check": cmd_check,
    "catalogue": cmd_catalogue,
    "import": cmd_import,
    "editions": cmd_editions,
    "templates": cmd_templates,
    "dump": cmd_dump,
    "serve": cmd_serve,
}

"""The one template search path every edition uses, and the sandbox templates run in.

A designer's folder (``--templates DIR``) is searched before the built-in ``templates/``: a file there
overrides the built-in file of the same relative path, everything else falls back. An override can
still reach the original as ``builtin/<path>`` (``{% extends "builtin/html/index.html" %}``).

A designer's folder is something people download and share, so it is not trusted: templates run in
Jinja's immutable sandbox (no attributes that start with ``_``, no ``str.format`` tricks, no mutation,
bounded ``range``, ``*`` and ``**``), and every file read from the folder (templates, CSS, fonts, the
DOCX reference, theme.yaml) must lie inside it: a symlink that leads out is refused, never read.
See SECURITY.md and docs/templates.md.
"""

from __future__ import annotations

import functools
import os
import re
import signal
import stat
import threading
from collections.abc import Iterable
from pathlib import Path

import jinja2
import jinja2.filters
import jinja2.sandbox
from jinja2.loaders import split_template_path

from .buildfolder import is_built
from .errors import Collector, Diagnostic, SourceError
from .paths import BUILTIN
from .textfile import decode, file_kind
from .theme import UNCARRIED

TEMPLATE_EXTENSIONS = ("html", "xhtml", "xml", "opf", "j2")  # files Jinja renders (not CSS, fonts)
TEXT_ASSETS = ("css", "js")  # published as they are, so checked as UTF-8 text too
MAX_RANGE_TOTAL = 1_000_000  # items all `range()` calls of one render may yield together
MAX_SEQUENCE = 1_000_000  # the longest string or list `*` may make
MAX_POWER_BITS = 4096  # the largest integer `**` may make
RENDER_SECONDS = 60.0  # one template's render may take this long (the 311-page book takes ~1 s)
MESSAGE_CHARS = 200  # an error's text is cut to this (it may carry a huge value)


def resolve_inside(path: str | Path, roots: Iterable[str | Path]) -> Path | None:
    """The real path a path names (symlinks followed), if it lies inside one of the roots; else None.

    The one rule for every file read from the template folders (and by the PDF's URL fetcher): its
    real path, not only its name, must be inside the folder, so a link out of it is refused.
    """
    try:
        real = Path(path).resolve()
        return real if any(real.is_relative_to(Path(root).resolve()) for root in roots) else None
    except (OSError, RuntimeError):  # a symlink loop (RuntimeError before Python 3.13)
        return None


def confined(path: Path, root: Path) -> Path:
    """`path` (found under `root`) if its real path is inside `root`; else a `path:1` problem."""
    real = resolve_inside(path, [root])
    if real is None:
        raise SourceError([Diagnostic(shown_path(path), 1, _outside(path, root))])
    return real


def plain_file(path: Path, root: Path) -> Path:
    """The real path of `path` (found under `root`) if it is a plain, readable file inside `root`;
    else a `path:1` problem. Only a plain file is ever opened: a FIFO would block the build for ever,
    a device would stream without end, and a folder named like a template is a mistake to report,
    not an error to crash on."""
    real = confined(path, root)
    try:
        mode = real.stat().st_mode
    except OSError as exc:
        raise SourceError([Diagnostic(shown_path(path), 1, f"cannot be read: {exc.strerror or exc}")]) from None
    if not stat.S_ISREG(mode):
        raise SourceError(
            [Diagnostic(shown_path(path), 1, f"is {file_kind(mode)}, not a file; a template file must be a plain file")]
        )
    if not os.access(real, os.R_OK):
        raise SourceError([Diagnostic(shown_path(path), 1, "cannot be read: permission denied")])
    return real


def _outside(path: Path, root: Path) -> str:
    try:
        target = os.readlink(path) if path.is_symlink() else path.resolve()
    except (OSError, RuntimeError):
        target = "a symlink loop"
    return f"leads outside the templates folder {shown_path(root)} (to {target}); copy the file into the folder"


def _read(real: Path, shown: Path) -> bytes:
    try:
        return real.read_bytes()
    except OSError as exc:  # a read error of the disk, a file replaced as it was read
        raise SourceError([Diagnostic(shown_path(shown), 1, f"cannot be read: {exc.strerror or exc}")]) from None


class _ConfinedLoader(jinja2.FileSystemLoader):
    """Jinja's file loader, but a template must lie inside its folder (checked before it is read) and
    be UTF-8 text; either problem is `path:line`, not a traceback."""

    def get_source(self, environment, template):
        pieces = split_template_path(template)
        for root in self.searchpath:
            candidate = Path(root).joinpath(*pieces)
            # Whatever it is, a designer's file shadows the built-in one; but not a page a build wrote.
            if os.path.lexists(candidate) and not is_built(candidate, Path(root)):
                real = plain_file(candidate, Path(root))
                errors = Collector()
                text = decode(_read(real, candidate), shown_path(candidate), errors)
                errors.raise_if_any()
                mtime = os.path.getmtime(real)
                return text, os.path.normpath(candidate), lambda real=real, mtime=mtime: os.path.getmtime(real) == mtime
        raise jinja2.TemplateNotFound(template)

    def list_templates(self) -> list[str]:
        """Every file under the folders, symlinked folders not followed (a loop would never end)."""
        found = set()
        for root in self.searchpath:
            for folder, _dirs, files in os.walk(root):
                for name in files:
                    if not is_built(Path(folder, name), Path(root)):
                        found.add(Path(folder, name).relative_to(root).as_posix())
        return sorted(found)


class _Sandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with bounded work, so a template cannot make a huge value or a
    near-endless loop: `range` has a budget per render; `*`, `**` and `%` cannot make huge values
    (intercepting them also keeps Jinja from folding them at compile time); a call's or a filter's
    number arguments (`center(10**9)`, `lipsum(n=...)`, `slice(10**9)`) and a format's widths are
    bounded. What is left (loops over loops) is stopped by the render's time limit."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, **options) -> None:
        super().__init__(**options)
        self.range_left = MAX_RANGE_TOTAL
        self.globals["range"] = self._range
        self.globals.pop("lipsum", None)  # placeholder text, of unbounded size; no paper needs it
        self.filters = {name: _bounded_filter(f) for name, f in self.filters.items()}

    def _range(self, *args: int) -> range:
        numbers = jinja2.sandbox.safe_range(*args)  # at most MAX_RANGE items each
        self.range_left -= len(numbers)
        if self.range_left < 0:
            raise jinja2.sandbox.SecurityError(f"range() used for more than {MAX_RANGE_TOTAL} items in one page")
        return numbers

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's signature
        _check_numbers((*args, *kwargs.values()))
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value):
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _check_format(value.__self__)
        return wrapped

    def call_binop(self, context, operator: str, left, right):
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, bytes, list, tuple)) and isinstance(times, int):
                    if len(seq) * times > MAX_SEQUENCE:
                        raise jinja2.sandbox.SecurityError(f"'*' would make more than {MAX_SEQUENCE} items")
        elif operator == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1:
            if right * max(abs(left).bit_length(), 1) > MAX_POWER_BITS:
                raise jinja2.sandbox.SecurityError(f"'**' would make a number over {MAX_POWER_BITS} bits")
        elif operator == "%" and isinstance(left, str):
            _check_format(left)
        return super().call_binop(context, operator, left, right)


def _check_numbers(values) -> None:
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SEQUENCE:
            raise jinja2.sandbox.SecurityError(f"a number argument over {MAX_SEQUENCE} ({_bounded(value)})")


def _check_format(spec: str) -> None:
    """A %- or {}-format may not ask for a huge width or precision (`'%999999999d'`, `'{:*>1e9}'`)."""
    if _HUGE_FORMAT.search(spec):
        raise jinja2.sandbox.SecurityError("a format width or precision over 6 digits, or given by '*'")


_HUGE_FORMAT = re.compile(r"%[^a-zA-Z%]*(\d{7}|\*)|\{[^{}]*:[^{}]*\d{7}[^{}]*\}")


def _bounded_filter(f):
    """A filter whose number parameters (not the value it filters) are bounded, as calls are."""

    @functools.wraps(f)
    def bounded(*args, **kwargs):
        skip = 2 if getattr(f, "jinja_pass_arg", None) is not None else 1  # the context or env, then the value
        _check_numbers((*args[skip:], *kwargs.values()))
        if f is _FORMAT_FILTER and len(args) > skip - 1:
            _check_format(str(args[skip - 1]))
        return f(*args, **kwargs)

    return bounded


_FORMAT_FILTER = jinja2.filters.FILTERS["format"]


class Templates:
    def __init__(self, user_dir: str | Path | None = None) -> None:
        self.user_dir = Path(user_dir) if user_dir else None
        if self.user_dir is not None and not self.user_dir.is_dir():
            raise SourceError([Diagnostic(str(self.user_dir), 1, "templates folder not found")])
        self.search_path = [p for p in (self.user_dir, BUILTIN) if p is not None]
        builtin = _ConfinedLoader(str(BUILTIN))
        self.env = _Sandbox(
            loader=jinja2.ChoiceLoader(
                [_ConfinedLoader([str(p) for p in self.search_path]), jinja2.PrefixLoader({"builtin": builtin})]
            ),
            autoescape=jinja2.select_autoescape(["html", "xhtml", "xml", "htm"], default_for_string=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            finalize=_carried,
        )

    def find(self, relative: str) -> Path:
        """The file a relative template path resolves to (user folder first), its real path checked
        to be inside that folder."""
        for base in self.search_path:
            candidate = base / relative
            if os.path.lexists(candidate) and not is_built(candidate, base):
                plain_file(candidate, base)
                return candidate
        raise SourceError([Diagnostic(str(BUILTIN / relative), 1, "template file not found")])

    def check_syntax(self) -> None:
        """Compile every template on the search path, and check every file in the designer's folder
        lies inside it and every text file is UTF-8, so all such problems are reported at once,
        before any edition is rendered."""
        problems: list[Diagnostic] = []
        for name in self.env.list_templates():
            if name.startswith("builtin/"):
                continue
            try:
                if name.endswith(tuple(f".{e}" for e in TEMPLATE_EXTENSIONS)):
                    self.env.get_template(name)
                else:
                    path = self.find(name)
                    if name.endswith(tuple(f".{e}" for e in TEXT_ASSETS)):
                        errors = Collector()
                        decode(_read(path, path), shown_path(path), errors)
                        errors.raise_if_any()
            except SourceError as exc:
                problems.extend(exc.diagnostics)
            except jinja2.TemplateSyntaxError as exc:
                where = shown_path(exc.filename or self.find(name))  # some errors (an unclosed raw) have none
                problems.append(Diagnostic(where, exc.lineno or 1, f"template syntax: {_bounded(exc.message)}"))
        if problems:
            raise SourceError(problems)

    def roots(self) -> list[Path]:
        """Folders files may be read from (for confining the PDF's and EPUB's file access)."""
        return [p.resolve() for p in self.search_path]

    def render(self, name: str, **context) -> str:
        """Render a template, turning any failure of the template into `path:line: message`.

        A template is the designer's input, so whatever it raises (a sandbox refusal, an undefined
        name, a filter's error, a division by zero, a missing include, a recursion) is its problem,
        reported at the innermost template line, never an internal error.
        """
        self.env.range_left = MAX_RANGE_TOTAL
        try:
            with _time_limit(RENDER_SECONDS):
                return self.env.get_template(name).render(**context)
        except SourceError:
            raise
        except _TooSlow as exc:
            message = f"template error: rendering took over {RENDER_SECONDS:g} s (a loop that never ends?)"
            raise SourceError([self._where(exc, name, message)]) from None
        except jinja2.TemplateSyntaxError as exc:
            raise SourceError(
                [Diagnostic(shown_path(exc.filename or name), exc.lineno or 1, f"template syntax: {exc.message}")]
            ) from None
        except jinja2.TemplateNotFound as exc:
            raise SourceError([self._where(exc, name, f"template not found: {exc.name}")]) from None
        except jinja2.sandbox.SecurityError as exc:
            raise SourceError([self._where(exc, name, f"not allowed in a template: {_bounded(exc)}")]) from None
        except (jinja2.UndefinedError, TypeError, AttributeError, ValueError) as exc:
            raise SourceError([self._where(exc, name, f"template error: {_bounded(exc)}")]) from None
        except RecursionError as exc:
            raise SourceError([self._where(exc, name, "template error: recursion too deep")]) from None
        except Exception as exc:  # noqa: BLE001 - any other failure of the template's code (MemoryError too)
            message = f"template error: {type(exc).__name__}: {_bounded(exc)}"
            raise SourceError([self._where(exc, name, message)]) from None

    def _where(self, exc: BaseException, name: str, message: str) -> Diagnostic:
        path, line = _template_frame(exc, self.search_path)
        return Diagnostic(shown_path(path) if path else name, line, message)


# What no edition can carry (theme.UNCARRIED) is the template's problem when a template makes it.


def _carried(value):
    """Every `{{ … }}` output passes here (Jinja's finalize): a character an edition cannot carry is
    the template's problem, at its line. (A template's literal text is checked when it is read; the
    source's text by the reader.)"""
    if isinstance(value, str) and (bad := UNCARRIED.search(value)):
        raise ValueError(f"the output has U+{ord(bad.group()):04X}, which no edition can carry")
    return value


class _TooSlow(Exception):
    pass


class _time_limit:
    """Raise _TooSlow in the template's code once `seconds` have passed (a real-time timer: SIGALRM).
    Only where signals can be handled (the main thread); elsewhere the render is not limited."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.active = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")

    def __enter__(self) -> None:
        if self.active:
            self.previous = signal.signal(signal.SIGALRM, self._expired)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc) -> None:
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)

    @staticmethod
    def _expired(signum, frame):
        raise _TooSlow()


def shown_path(path: str | Path) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):
        return str(path)


def _bounded(value: object) -> str:
    """An error's text, cut short: it may carry a huge value (an expanded alias, a long string)."""
    text = str(value)
    return text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS] + "…"


def _template_frame(exc: BaseException, roots: list[Path]) -> tuple[str | None, int]:
    """The innermost template file and line in a traceback. Jinja rewrites the traceback so that
    template code shows as frames of the template's file and line; those are the files on the roots."""
    prefixes = tuple(os.path.normpath(r) + os.sep for r in roots)
    tb = exc.__traceback__
    found: tuple[str | None, int] = (None, 1)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(prefixes):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found

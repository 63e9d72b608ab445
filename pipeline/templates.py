"""The one template search path every edition uses.

A designer's folder (``--templates DIR``) is searched before the built-in ``templates/``: a file there
overrides the built-in file of the same relative path, everything else falls back. An override can
still reach the original as ``builtin/<path>`` (``{% extends "builtin/html/index.html" %}``).
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from .errors import Diagnostic, SourceError

BUILTIN = Path(__file__).resolve().parent.parent / "templates"
TEMPLATE_EXTENSIONS = ("html", "xhtml", "xml", "opf", "j2")  # files Jinja renders (not CSS, fonts)


class Templates:
    def __init__(self, user_dir: str | Path | None = None) -> None:
        self.user_dir = Path(user_dir) if user_dir else None
        if self.user_dir is not None and not self.user_dir.is_dir():
            raise SourceError([Diagnostic(str(self.user_dir), 1, "templates folder not found")])
        self.search_path = [p for p in (self.user_dir, BUILTIN) if p is not None]
        builtin = jinja2.FileSystemLoader(str(BUILTIN))
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(
                [jinja2.FileSystemLoader([str(p) for p in self.search_path]), jinja2.PrefixLoader({"builtin": builtin})]
            ),
            autoescape=jinja2.select_autoescape(["html", "xhtml", "xml", "htm"], default_for_string=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )

    def find(self, relative: str) -> Path:
        """The file a relative template path resolves to (user folder first)."""
        for base in self.search_path:
            candidate = base / relative
            if candidate.is_file():
                return candidate
        raise SourceError([Diagnostic(str(BUILTIN / relative), 1, "template file not found")])

    def check_syntax(self) -> None:
        """Compile every template on the search path, so all syntax errors are reported at once,
        before any edition is rendered."""
        problems = []
        for name in self.env.list_templates(extensions=TEMPLATE_EXTENSIONS):
            if name.startswith("builtin/"):
                continue
            try:
                self.env.get_template(name)
            except jinja2.TemplateSyntaxError as exc:
                where = shown_path(exc.filename or name)
                problems.append(Diagnostic(where, exc.lineno or 1, f"template syntax: {exc.message}"))
        if problems:
            raise SourceError(problems)

    def roots(self) -> list[Path]:
        """Folders files may be read from (for confining the PDF's and EPUB's file access)."""
        return [p.resolve() for p in self.search_path]

    def render(self, name: str, **context) -> str:
        """Render a template, turning Jinja's errors into `path:line: message`."""
        try:
            return self.env.get_template(name).render(**context)
        except jinja2.TemplateSyntaxError as exc:
            raise SourceError(
                [Diagnostic(shown_path(exc.filename or name), exc.lineno or 1, f"template syntax: {exc.message}")]
            ) from None
        except jinja2.TemplateNotFound as exc:
            raise SourceError([Diagnostic(name, 1, f"template not found: {exc.name}")]) from None
        except (jinja2.UndefinedError, TypeError, AttributeError, ValueError) as exc:
            path, line = _template_frame(exc)
            raise SourceError(
                [Diagnostic(shown_path(path) if path else name, line, f"template error: {exc}")]
            ) from None


def shown_path(path: str | Path) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _template_frame(exc: BaseException) -> tuple[str | None, int]:
    """The innermost template file and line in a traceback (Jinja maps template code to its lines)."""
    tb = exc.__traceback__
    found: tuple[str | None, int] = (None, 1)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xhtml", ".xml", ".css", ".j2", ".opf", ".txt")):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found

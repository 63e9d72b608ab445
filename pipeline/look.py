"""The look of a build, in one object: the template search path (a designer's folder, then the
built-in one) and the theme settings resolved over it (built-in theme.yaml, the designer's, the
paper's `theme:`), both checked at once so that one run reports every problem, each at its own
`path:line`. The build, `check`, `dump` and `pipeline serve` all open it here, and the document is
numbered from it here, once, so that every command and every edition shows the same labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import passages
from .errors import Diagnostic, SourceError
from .model import Document, Numbering
from .numbering import apply

if TYPE_CHECKING:
    from .templates import Templates


@dataclass(frozen=True)
class Look:
    templates: Templates
    theme: Mapping[str, Any]  # every setting, resolved and checked

    @property
    def numbering(self) -> Numbering:
        return Numbering(**self.theme["numbering"])

    def number(self, doc: Document) -> Document:
        """The document with its generated numbers: the paper's own numbering styles if it sets them,
        else the theme's. The one place a document is numbered."""
        styles = doc.meta.numbering or self.numbering
        numbered = replace(doc, chapters=passages.number(apply(doc.chapters, styles), styles))
        passages.check_links(numbered)
        return numbered


def open_look(
    templates: str | Path | Templates | None, paper_theme: Mapping[str, Any] | None, paper_yaml: Path | None
) -> Look:
    """The look, or SourceError with every problem of the templates and the theme together.

    `templates` may be a Templates already made (`pipeline serve` keeps one between builds, so that
    Jinja's cache keeps every unchanged template compiled). `paper_theme` None: the paper could not be
    read, and only the designer's files are checked."""
    from .templates import Templates
    from .theme import resolve

    problems: list[Diagnostic] = []
    tmpl = None
    try:
        tmpl = templates if isinstance(templates, Templates) else Templates(templates)
        tmpl.check_syntax()
    except SourceError as exc:
        problems += exc.diagnostics
    theme: Mapping[str, Any] = {}
    try:
        theme = resolve(tmpl.user_dir if tmpl is not None else None, paper_theme, paper_yaml)
    except SourceError as exc:
        problems += exc.diagnostics
    if problems:
        raise SourceError(problems)
    return Look(tmpl, theme)


def load(source: str | Path, templates: str | Path | Templates | None = None) -> tuple[Document, Look]:
    """The source read and numbered, and its look: what every edition and command starts from.
    The source and the look are each checked even when the other has failed."""
    from .reader import read_source
    from .sourcedate import with_source_date_epoch

    problems: list[Diagnostic] = []
    doc = look = None
    try:
        doc = with_source_date_epoch(read_source(source))
    except SourceError as exc:
        problems += exc.diagnostics
    try:
        look = open_look(templates, dict(doc.meta.theme) if doc is not None else None, Path(source) / "paper.yaml")
    except SourceError as exc:
        problems += exc.diagnostics
    if problems:
        raise SourceError(problems)
    return look.number(doc), look

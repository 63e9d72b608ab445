"""The editions, one package each (`html/`, `pdf/`, `epub/`, `docx/`), and what they share.

Each edition package's `__init__` defines `EDITION` (edition.py): its name, the files it writes, its
`render(doc, ctx)` and what it can do; registry.py lists them. `render` returns the files' contents,
or an `Output` that carries them with what else the edition knows (the PDF: its page count from the
layout, hints about the machine). Nothing is written here: the builder writes all files of a build at
the end, atomically, so a failure leaves the last good editions in place. No edition imports another
(tests/test_layout.py); what they share lives here (common.py, zipfix.py) or in the package
(walk, fonts, colour, theme).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # this package is imported by the PDF child too, which needs neither Jinja nor YAML
    from ..templates import Templates


def _theme_defaults() -> Mapping[str, Any]:
    from ..theme import defaults

    return defaults()


@dataclass(frozen=True)
class Output:
    """What an edition made: its files, and what it can tell of them beyond their bytes."""

    files: dict[str, bytes]
    pages: int | None = None  # the page count where the edition lays out pages (the PDF)
    notices: tuple[str, ...] = ()  # hints about the machine (not problems in the source), each once
    page_map: Any = None  # where each block starts (pagemap.PageMap), from an edition that lays out pages

    @classmethod
    def of(cls, rendered: Output | Mapping[str, bytes]) -> Output:
        return rendered if isinstance(rendered, Output) else cls(dict(rendered))


@dataclass(frozen=True)
class Download:
    """A downloadable edition as written: measured from the real bytes."""

    format: str  # "pdf"
    label: str  # "PDF"
    filename: str
    size: int
    sha256: str
    media_type: str

    @property
    def size_text(self) -> str:
        return human_size(self.size)


@dataclass(frozen=True)
class Context:
    templates: Templates
    downloads: tuple[Download, ...] = ()  # the other editions, for the web edition's download list
    options: dict = field(default_factory=dict)  # e.g. {"pdf_variant": "pdf/ua-1"}
    theme: Mapping[str, Any] = field(default_factory=_theme_defaults)  # theme.yaml settings, resolved
    page_map: Any = None  # the PDF's pagination of this build (pagemap.PageMap), for the editions that cite it
    # The build folder, where the last build's findings are kept for the next one's guesses (the PDF's
    # parts: render/pdf/parallel.py); None when there is none.
    build_folder: Path | None = None


def human_size(size: int) -> str:
    if size < 1000 * 1000:
        return f"{max(size / 1000, 0.1):.0f} KB" if size >= 10_000 else f"{size / 1000:.1f} KB"
    return f"{size / 1000 / 1000:.1f} MB"

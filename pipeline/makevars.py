"""What `make` needs to know of the editions, asked of the registry instead of repeated in the Makefile:
`pipeline editions --make` prints it as make variables (the Makefile includes them).

For each edition: the file it writes (which names the paper's slug, read from paper.yaml), the folder
of its package and the template folders it reads (its dependencies), the make target that sets up what
it needs (SETUP_<name>: the press PDF's CMYK profile), and which editions it must come after (one that lists the downloads comes after them; one that cites the print pages, the EPUB,
after the PDF, whose page map it takes).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from .errors import Collector
from .fonts import is_cjk
from .meta import read_metadata
from .render import registry
from .render.edition import Edition


def package_folder(edition: Edition) -> Path:
    """The folder of the package that defines the edition (its code is its own dependency)."""
    return Path(importlib.util.find_spec(edition.render.__module__).origin).resolve().parent


def file_names(source: Path) -> dict[str, str | None]:
    """Each edition's own file for the paper in `source`, or None where paper.yaml cannot be read
    (its problems are the build's to report, with their lines)."""
    meta, _ = read_metadata(source / "paper.yaml", Collector())
    return {e.name: e.filename(meta) if meta is not None else None for e in registry.editions()}


def make_variables(source: Path, root: Path) -> str:
    """The variables, as make syntax. `root` is the project folder: paths inside it are written relative
    to it, as the Makefile's own are. A paper.yaml that cannot be read gives file names without the
    slug: the build that make then runs reports the problem with its line."""
    names = file_names(source)
    editions = registry.editions()
    # `make all` builds EDITIONS; the optional ones (the press PDF) get their rules and targets
    # (`make press`) but are built only when named.
    lines = [
        f"EDITIONS := {' '.join(e.name for e in editions if not e.optional)}",
        f"OPTIONAL_EDITIONS := {' '.join(e.name for e in editions if e.optional)}",
    ]
    meta, _ = read_metadata(source / "paper.yaml", Collector())
    # What must be set up before any edition is built: the CJK fonts for a paper in Chinese.
    lines.append(f"FONT_SETUP := {'fonts-cjk' if meta is not None and is_cjk(meta.language) else ''}")
    downloads = [e.name for e in editions if e.downloadable]
    for e in editions:
        filename = names[e.name] or e.outputs(_NoSlug())[0]
        lines += [
            f"FILE_{e.name} := {_escape(filename)}",
            f"PACKAGE_{e.name} := {_escape(_shown(package_folder(e), root))}",
            f"TEMPLATE_DIRS_{e.name} := {' '.join(e.templates)}",
            f"AFTER_{e.name} := {' '.join(after(e, editions, downloads))}",
            f"SETUP_{e.name} := {e.setup}",
        ]
    return "\n".join(lines) + "\n"


def after(edition, editions, downloads) -> list[str]:
    """The editions this one is built after: the downloads, for one that lists them (their sizes and
    checksums); the one that lays out pages, for one that cites them (its page map)."""
    if edition.lists_downloads:
        return [d for d in downloads if d != edition.name]
    if edition.cites_pages:
        return [e.name for e in editions if e.makes_page_map and e.name != edition.name]
    return []


class _NoSlug:
    slug = ""

    def __getattr__(self, name: str):
        return ""


def _shown(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _escape(text: str) -> str:
    """A value make reads back as it is: `$` doubled, `#` escaped (a slug is [a-z0-9._-]; a path may
    hold more). Spaces cannot be carried in a make file name at all."""
    return text.replace("$", "$$").replace("#", "\\#")

"""The editions a build can make, in the order they render.

Adding an edition is adding a package whose `__init__` defines `EDITION` (an `Edition`; or `EDITIONS`,
a tuple, for a package that defines several), and
registering it: a built-in one is named in `PACKAGES`; one from another distribution declares an
entry point in the group `pipeline.editions` (in its pyproject.toml:
`[project.entry-points."pipeline.editions"] text = "mypackage:EDITION"`). The build, `pipeline serve`
and the Makefile (through `pipeline editions --make`) take it from there. `register` adds one at run
time (tests).

Only installed code is loaded: nothing in a source folder or a theme can name an edition to import.
"""

from __future__ import annotations

import functools
import importlib
from importlib.metadata import entry_points

from .edition import Edition

# Built in, in the order users see them (`--formats`, `pipeline editions`). The build renders in
# its own order, from what each can do (build.render_order).
PACKAGES = ("html", "pdf", "epub", "docx")
GROUP = "pipeline.editions"

_registered: dict[str, Edition] = {}


class PluginError(Exception):
    """An installed edition plug-in that cannot be loaded: the machine's problem, not the source's."""


def editions() -> tuple[Edition, ...]:
    """Every edition: the built-in ones, then the installed plug-ins (by name), then those registered
    at run time (one that takes an existing edition's name takes its place)."""
    found: dict[str, Edition] = {}
    for name in PACKAGES:
        module = importlib.import_module(f"{__package__}.{name}")
        # A package may define more than one (the PDF package: the reading PDF and the press PDF, which
        # shares its print HTML and layout): then `EDITIONS` lists them, else `EDITION` is the one.
        for edition in getattr(module, "EDITIONS", (module.EDITION,)):
            found[edition.name] = edition
    for edition in _plugins():
        found.setdefault(edition.name, edition)  # a plug-in cannot replace a built-in edition
    found.update(_registered)
    return tuple(found.values())


@functools.cache
def _plugins() -> tuple[Edition, ...]:
    loaded = []
    for point in sorted(entry_points(group=GROUP), key=lambda p: p.name):
        try:
            edition = point.load()
        except Exception as exc:  # a broken plug-in must not look like a bug of ours
            raise PluginError(f"edition plug-in {point.name!r} ({point.value}) cannot be loaded: {exc}") from exc
        if not isinstance(edition, Edition):
            raise PluginError(f"edition plug-in {point.name!r} ({point.value}) is not an Edition")
        loaded.append(edition)
    return tuple(loaded)


def names() -> tuple[str, ...]:
    return tuple(e.name for e in editions())


def default_names() -> tuple[str, ...]:
    """The editions a build makes when none is named: all but the optional ones (the press PDF)."""
    return tuple(e.name for e in editions() if not e.optional)


def get(name: str) -> Edition:
    for found in editions():
        if found.name == name:
            return found
    raise KeyError(name)


def register(edition: Edition) -> None:
    """Add an edition (or replace one of the same name) for this process."""
    _registered[edition.name] = edition


def unregister(name: str) -> None:
    _registered.pop(name, None)

"""The editions a build can make, in the order they render.

Adding an edition is adding a package to `pipeline/render/` whose `__init__` defines `EDITION`, and
naming it here: the build, `pipeline serve` and the Makefile (through `pipeline editions`) take it from
there. `register` adds one at run time (tests, plug-ins).
"""

from __future__ import annotations

import importlib

from .edition import Edition

# Built in, in the order users see them (`--formats`, `pipeline editions`). The build renders in
# its own order, from what each can do (build.render_order).
PACKAGES = ("html", "pdf", "epub", "docx")

_registered: dict[str, Edition] = {}


def editions() -> tuple[Edition, ...]:
    """Every edition: the built-in ones, then those registered (one registered under a built-in
    edition's name takes its place)."""
    found = {name: importlib.import_module(f"{__package__}.{name}").EDITION for name in PACKAGES}
    found.update(_registered)
    return tuple(found.values())


def names() -> tuple[str, ...]:
    return tuple(e.name for e in editions())


def get(name: str) -> Edition:
    for found in editions():
        if found.name == name:
            return found
    raise KeyError(name)


def register(edition: Edition) -> None:
    """Add an edition (or replace a registered one of the same name) for this process."""
    _registered[edition.name] = edition


def unregister(name: str) -> None:
    _registered.pop(name, None)

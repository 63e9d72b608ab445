"""Theme settings: page size, fonts, colours, numbering, cover, site URL — no template code needed.

Three layers, later wins: the built-in `templates/theme.yaml` (which also defines the keys and their
kinds), a designer's `theme.yaml` in their templates folder, and the paper's `theme:` in paper.yaml.
Every problem names `path:line`.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from types import MappingProxyType

import yaml

from .errors import Collector
from .numbering import STYLES
from .textfile import read_text

BUILTIN_THEME = Path(__file__).resolve().parent.parent / "templates" / "theme.yaml"
COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
PAGE_SIZES = ("a4", "letter")
LEVELS = ("chapters", "sections", "subsections")


@functools.cache
def defaults() -> MappingProxyType:
    return MappingProxyType(yaml.safe_load(BUILTIN_THEME.read_text(encoding="utf-8")))


def check(node: yaml.Node, path, errors: Collector, where: str = "theme") -> dict:
    """The settings in a YAML mapping node, each checked against the built-in keys and kinds."""
    if not isinstance(node, yaml.MappingNode):
        errors.add(path, node.start_mark.line + 1, f"'{where}' must be a mapping of theme settings")
        return {}
    known = defaults()
    values = {}
    for key_node, value_node in node.value:
        key, line = key_node.value, key_node.start_mark.line + 1
        if key not in known:
            import difflib

            hint = difflib.get_close_matches(str(key), known, n=1)
            extra = f"; did you mean '{hint[0]}'?" if hint else f"; known settings: {', '.join(known)}"
            errors.add(path, line, f"unknown theme setting '{key}'{extra}")
            continue
        value = yaml.safe_load(yaml.serialize(value_node))
        problem = _problem(key, value)
        if problem:
            errors.add(path, value_node.start_mark.line + 1, f"theme setting '{key}' {problem}")
        else:
            values[key] = value
    return values


def _problem(key: str, value) -> str | None:
    if key.endswith("_colour") or key == "cover_background":
        if not isinstance(value, str) or not COLOUR_RE.match(value):
            return f"must be a colour as #rrggbb, not {value!r}"
    elif key == "page_size":
        if value not in PAGE_SIZES:
            return f"must be one of {', '.join(PAGE_SIZES)}, not {value!r}"
    elif key == "numbering":
        if not isinstance(value, dict) or set(value) - set(LEVELS) or any(v not in STYLES for v in value.values()):
            return f"must map {', '.join(LEVELS)} to one of {', '.join(STYLES)}"
    elif not isinstance(value, str):
        return f"must be text, not {value!r}"
    elif key.endswith("_font") and not value.strip():
        return "must name a font family"
    return None


def read_file(path: Path, errors: Collector) -> dict:
    text = read_text(path, errors)
    if text is None:
        return {}
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        errors.add(path, mark.line + 1 if mark else 1, f"YAML syntax: {exc.problem or exc.context}")
        return {}
    if node is None:
        return {}
    return check(node, path, errors, where=Path(path).name)


def resolve(user_dir: Path | None, paper_theme: dict) -> MappingProxyType:
    """Built-in defaults, then the designer's theme.yaml, then the paper's settings."""
    errors = Collector()
    settings = dict(defaults())
    if user_dir is not None and (user_dir / "theme.yaml").is_file():
        settings.update(read_file(user_dir / "theme.yaml", errors))
    errors.raise_if_any()
    settings.update(paper_theme)
    numbering = dict(defaults()["numbering"])
    numbering.update(settings.get("numbering") or {})
    settings["numbering"] = numbering
    return MappingProxyType(settings)

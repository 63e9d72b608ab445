"""Theme settings: page size, fonts, colours, numbering, cover, site URL — no template code needed.

Three layers, later wins: the built-in `templates/theme.yaml` (which also defines the keys and their
kinds), a designer's `theme.yaml` in their templates folder, and the paper's `theme:` in paper.yaml.
Every problem names the `path:line` of the setting at fault, all problems are reported together, and
a message never shows more than a bounded piece of a value (a YAML alias can expand it enormously).
"""

from __future__ import annotations

import functools
import re
import reprlib
from pathlib import Path
from types import MappingProxyType

import yaml

from .colour import AA, contrast
from .errors import Collector, SourceError, did_you_mean
from .numbering import STYLES
from .paths import BUILTIN
from .textfile import compose_yaml, read_text

BUILTIN_THEME = BUILTIN / "theme.yaml"
COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
# Characters no edition can carry: XML 1.0 has none of them (the EPUB's XHTML, the DOCX), HTML calls
# them parse errors, and a lone surrogate (YAML's "\ud800") cannot even be written as UTF-8.
UNCARRIED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# The page sizes a theme may name, and the CSS page size each is (the one table: the PDF asks here).
PAGE_SIZES = {"a4": "A4", "letter": "letter"}
LEVELS = ("chapters", "sections", "subsections")
# The press PDF's bleed (`bleed: 3mm`): a length in one of these units, in points each, and at most
# MAX_BLEED_PT (10 mm: a printer asks for 3 to 5; more is a mistake, or a unit slip such as 3cm).
LENGTH_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mm|pt|in)\s*$")
POINTS_PER = {"mm": 72 / 25.4, "pt": 1.0, "in": 72.0}
MAX_BLEED_PT = 10 * 72 / 25.4
# Settings that are on or off.
SWITCHES = frozenset({"paragraph_numbers", "press_download"})
CONTRASTED = ("text_colour", "link_colour", "accent_colour")  # each on background_colour


@functools.cache
def defaults() -> MappingProxyType:
    return MappingProxyType(yaml.safe_load(BUILTIN_THEME.read_text(encoding="utf-8")))


def bounded_repr(value: object) -> str:
    """repr() of a value, bounded in depth and length whatever its size (a YAML alias bomb)."""
    shown = reprlib.Repr()
    shown.maxlevel, shown.maxstring, shown.maxother = 2, 60, 60
    text = shown.repr(value)
    return text if len(text) <= 120 else text[:119] + "…"


def check(node: yaml.Node, path, errors: Collector, where: str = "theme", lines: dict | None = None) -> dict:
    """The settings in a YAML mapping node, each checked against the built-in keys and kinds.
    `lines`, if given, receives each accepted setting's line."""
    if not isinstance(node, yaml.MappingNode):
        errors.add(path, node.start_mark.line + 1, f"'{where}' must be a mapping of theme settings")
        return {}
    known = defaults()
    values: dict = {}
    seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            errors.add(path, line, "a theme setting's name must be text")
            continue
        key = key_node.value
        if key not in known:
            extra = did_you_mean(key, list(known), "settings", limit=100)
            errors.add(path, line, f"unknown theme setting {bounded_repr(key)}{extra}")
            continue
        if key in seen:
            errors.add(path, line, f"theme setting '{key}' given twice (first on line {seen[key]})")
            continue
        seen[key] = line
        value_line = value_node.start_mark.line + 1
        try:
            value = yaml.safe_load(yaml.serialize(value_node))
        except yaml.YAMLError as exc:  # a tag SafeLoader will not build (!!python/object, !custom)
            errors.add(path, value_line, f"theme setting '{key}' {_tag_problem(value_node, exc)}")
            continue
        except RecursionError:
            errors.add(path, value_line, f"theme setting '{key}' is nested too deeply")
            continue
        problem = _problem(key, value)
        if problem:
            errors.add(path, value_line, f"theme setting '{key}' {problem}")
        else:
            values[key] = value
            if lines is not None:
                lines[key] = value_line
    return values


def _tag_problem(node: yaml.Node, exc: yaml.YAMLError) -> str:
    """Name the YAML tag a theme value may not carry (the first SafeLoader has no constructor for)."""
    known = yaml.SafeLoader.yaml_constructors
    stack, seen = [node], set()
    while stack:  # iterative, and each node once: aliases may make the graph huge or cyclic
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if current.tag not in known:
            tag = current.tag.replace("tag:yaml.org,2002:", "!!")
            return f"has the YAML tag {bounded_repr(tag)}, which a theme may not use; write a plain value"
        if isinstance(current, yaml.MappingNode):
            stack.extend(n for pair in current.value for n in pair)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return f"cannot be read: {bounded_repr(getattr(exc, 'problem', None) or type(exc).__name__)}"


def _problem(key: str, value) -> str | None:
    if key.endswith("_colour") or key == "cover_background":
        if not isinstance(value, str) or not COLOUR_RE.match(value):
            return f"must be a colour as #rrggbb, not {bounded_repr(value)}"
    elif key == "page_size":
        if not isinstance(value, str) or value not in PAGE_SIZES:
            return f"must be one of {', '.join(PAGE_SIZES)}, not {bounded_repr(value)}"
    elif key == "bleed":
        if not isinstance(value, str) or (points := length_points(value)) is None or points > MAX_BLEED_PT + 1e-9:
            return f"must be a length from 0 to 10mm, as 3mm, 9pt or 0.125in, not {bounded_repr(value)}"
    elif key in SWITCHES:
        if not isinstance(value, bool):
            return f"must be true or false, not {bounded_repr(value)}"
    elif key == "numbering":
        if not isinstance(value, dict) or set(value) - set(LEVELS) or any(v not in STYLES for v in value.values()):
            return f"must map {', '.join(LEVELS)} to one of {', '.join(STYLES)}"
    elif not isinstance(value, str):
        return f"must be text, not {bounded_repr(value)}"
    elif bad := UNCARRIED.search(value):
        return f"has the character U+{ord(bad.group()):04X}, which no edition can carry; remove it"
    elif key.endswith("_font") and not value.strip():
        return "must name a font family"
    elif key == "url" and value.strip() and not _absolute_url(value.strip()):
        return f"must be an absolute http(s) address, not {bounded_repr(value)}"
    return None


def length_points(value: str) -> float | None:
    """A length setting (`3mm`, `9pt`, `0.125in`) in PDF points, or None if it is not one."""
    found = LENGTH_RE.match(value)
    return float(found.group(1)) * POINTS_PER[found.group(2)] if found else None


def _absolute_url(value: str) -> bool:
    # The web edition's canonical link and Open Graph URL (see render/html/page.py `_site_url`).
    return value.startswith(("https://", "http://")) and not any(c.isspace() or c in "\"'<>" for c in value)


def read_file(path: Path, errors: Collector, lines: dict | None = None) -> dict:
    text = read_text(path, errors)
    if text is None:
        return {}
    node = compose_yaml(text, path, errors)  # bounded as paper.yaml is: depth, aliases expanded
    if node is None:
        return {}
    return check(node, path, errors, where=Path(path).name, lines=lines)


def resolve(user_dir: Path | None, paper_theme: dict | None, paper_yaml: Path | None = None) -> MappingProxyType:
    """Built-in defaults, then the designer's theme.yaml, then the paper's settings, checked together.

    `paper_theme` None: the paper could not be read; only the designer's theme.yaml is checked (its
    problems are reported with the paper's). `paper_yaml` names the paper's settings in messages.
    """
    errors = Collector()
    settings = dict(defaults())
    origin: dict[str, tuple[int, str, int]] = {}  # key -> (layer, path, line), for the cross-checks
    if user_dir is not None:
        settings.update(_designer_theme(Path(user_dir), errors, origin))
    if paper_theme is None:
        errors.raise_if_any()
        return MappingProxyType(settings)
    settings.update(paper_theme)
    for key in paper_theme:
        origin[key] = (2, str(paper_yaml or "paper.yaml"), 0)  # 0: its line is looked up if needed
    _check_contrast(settings, origin, paper_yaml, errors)
    errors.raise_if_any()
    numbering = dict(defaults()["numbering"])
    numbering.update(settings.get("numbering") or {})
    settings["numbering"] = numbering
    return MappingProxyType(settings)


def _designer_theme(user_dir: Path, errors: Collector, origin: dict) -> dict:
    from .templates import confined  # here: the reader imports this module, and needs no Jinja

    path = user_dir / "theme.yaml"
    if not (path.is_file() or path.is_symlink()):
        return {}
    try:
        confined(path, user_dir)
    except SourceError as exc:
        errors.items.extend(exc.diagnostics)
        return {}
    lines: dict[str, int] = {}
    values = read_file(path, errors, lines)
    origin.update({key: (1, str(path), line) for key, line in lines.items()})
    return values


def _check_contrast(settings: dict, origin: dict, paper_yaml: Path | None, errors: Collector) -> None:
    """Each of text, link and accent colour on the background keeps WCAG AA contrast. A failing pair
    is blamed on whichever of its two settings was given last (the paper over theme.yaml)."""
    bg = settings["background_colour"]
    for name in CONTRASTED:
        ratio = contrast(settings[name], bg)
        if ratio >= AA:
            continue
        layer, path, line = max(origin.get(k, (0, str(BUILTIN_THEME), 1)) for k in (name, "background_colour"))
        blamed = name if origin.get(name, (0,))[0] == layer else "background_colour"
        if line == 0:
            line = _paper_line(paper_yaml, blamed)
        errors.add(
            path,
            line,
            f"setting '{name}' {settings[name]} has contrast {ratio:.2f}:1 on background_colour {bg}; "
            f"the web edition needs at least {AA}:1 (WCAG AA)",
        )


def _paper_line(paper_yaml: Path | None, key: str) -> int:
    """The line of a `theme:` setting in paper.yaml (read again only when a problem is found there)."""
    try:
        root = yaml.compose(Path(paper_yaml).read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        for key_node, value_node in root.value:
            if key_node.value == "theme":
                for setting, value in value_node.value:
                    if setting.value == key:
                        return value.start_mark.line + 1
                return key_node.start_mark.line + 1
    except (OSError, TypeError, AttributeError, ValueError, yaml.YAMLError):
        pass
    return 1

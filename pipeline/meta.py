"""`paper.yaml`: the paper's metadata and its ordered contents, schema-checked with line numbers.

PyYAML's node graph (compose) keeps each value's line, so every problem names `paper.yaml:line`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import Collector, did_you_mean, shown
from .model import Metadata, Numbering
from .numbering import FORMAT_KEYS, STYLES, format_problem
from .textfile import bad_character, compose_yaml, describe, read_text

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
# A slug names files: build/<slug>.epub, and its temporary sibling while it is written
# (".<slug>.epub.XXXXXXXX.tmp"). 200 bytes keeps those within the 255 bytes a file name may have.
MAX_SLUG = 200
MAX_KEY_MATCH = 40  # "did you mean" compares this much of an unknown key: keys are short


@dataclass(frozen=True)
class ContentsEntry:
    file: str
    numbered: bool
    line: int


# key -> (kind, required, what it is); kinds are checked by _value() below.
FIELDS: dict[str, tuple[str, bool, str]] = {
    "title": ("str", True, "the paper's title"),
    "subtitle": ("str", False, "a subtitle"),
    "issuer": ("str", False, "who issues the paper (shown on the title page)"),
    "country": ("str", False, "the issuer's country, shown above the issuer"),
    "publisher": ("str", False, "the publisher, if not the issuer"),
    "date": ("str", True, "the paper's date as printed, e.g. 'March 2023'"),
    "released": ("date", True, "the release date, YYYY-MM-DD; all edition timestamps use it"),
    "place": ("str", False, "place of release"),
    "language": ("lang", True, "BCP 47 language tag, e.g. en"),
    "identifier": ("str", True, "a stable identifier, e.g. urn:uuid:…"),
    "slug": ("slug", True, "file name of the editions: build/<slug>.pdf"),
    "rights": ("str", False, "copyright or licence statement"),
    "description": ("str", False, "a one-paragraph summary"),
    "keywords": ("strlist", False, "a list of subject keywords"),
    "provenance": ("str", False, "where this text comes from"),
    "contents_title": ("str", False, "heading of the generated contents (default 'Contents')"),
    "numbering": ("numbering", False, "numbering styles (chapters, sections, subsections) and label forms"),
    "theme": ("theme", False, "theme settings for this paper (see docs/templates.md)"),
    "contents": ("contents", True, "the ordered list of chapter files"),
}


def read_metadata(path: Path, errors: Collector) -> tuple[Metadata | None, list[ContentsEntry]]:
    before = len(errors.items)
    text = read_text(path, errors)
    if text is None or len(errors.items) > before:  # unreadable, or control characters YAML would trip on
        return None, []
    root = compose_yaml(text, path, errors)
    if len(errors.items) > before:
        return None, []
    if not isinstance(root, yaml.MappingNode):
        errors.add(path, root.start_mark.line + 1 if root else 1, "paper.yaml must be a mapping of keys")
        return None, []

    values: dict[str, object] = {}
    lines: dict[str, int] = {}
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + 1
        key = _key(key_node, path, errors)
        if key is None:
            continue
        if key not in FIELDS:
            errors.add(path, line, f"unknown key {shown(key)}{did_you_mean(key, list(FIELDS), 'keys', MAX_KEY_MATCH)}")
            continue
        if key in values:
            errors.add(path, line, f"key '{key}' given twice (first on line {lines[key]})")
            continue
        lines[key] = line
        values[key] = _value(FIELDS[key][0], key, value_node, path, errors)

    for key, (_kind, required, what) in FIELDS.items():
        if required and key not in lines:
            errors.add(path, 1, f"missing key '{key}': {what}")

    contents = values.pop("contents", None) or []
    if any(v is None for k, v in values.items()) or any(
        FIELDS[k][1] and k not in values for k in FIELDS if k != "contents"
    ):
        return None, contents
    numbering = values.pop("numbering", None)
    theme = values.pop("theme", None) or {}
    keywords = tuple(values.pop("keywords", ()) or ())
    meta = Metadata(
        **{k: v for k, v in values.items()},
        keywords=keywords,
        numbering=numbering,
        theme=tuple(sorted(theme.items())),
    )
    return meta, contents


def key_lines(path: Path) -> dict[str, int]:
    """The line of each top-level value in a paper.yaml, by key (for later checks,
    such as the print fonts' glyphs, that must name the line of a metadata value)."""
    errors = Collector()
    text = read_text(path, errors)
    root = compose_yaml(text, path, errors) if text is not None else None
    if not isinstance(root, yaml.MappingNode):
        return {}
    found: dict[str, int] = {}
    for key_node, value_node in root.value:
        if isinstance(key_node, yaml.ScalarNode):
            found.setdefault(key_node.value, value_node.start_mark.line + 1)
    return found


def _value(kind: str, key: str, node: yaml.Node, path: Path, errors: Collector):
    line = node.start_mark.line + 1

    def scalar() -> str | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
            errors.add(path, line, f"'{key}' must be text")
            return None
        if not node.value.strip():
            errors.add(path, line, f"'{key}' is empty")
            return None
        char = bad_character(node.value)
        if char is not None:
            errors.add(path, line, f"'{key}' holds {describe(char)}, which no edition can carry; remove it")
            return None
        return node.value

    if kind == "str":
        return scalar()
    if kind == "lang":
        value = scalar()
        if value is not None and not LANG_RE.match(value):
            errors.add(
                path, line, f"'{key}' must be a BCP 47 language tag such as 'en' or 'zh-Hans', not {shown(value)}"
            )
            return None
        return value
    if kind == "slug":
        value = scalar()
        if value is not None and not SLUG_RE.match(value):
            errors.add(path, line, f"'{key}' must be lower-case letters, digits, '.', '-' or '_', not {shown(value)}")
            return None
        if value is not None and len(value) > MAX_SLUG:
            errors.add(
                path, line, f"'{key}' is {len(value)} characters long; a slug names files, so at most {MAX_SLUG}"
            )
            return None
        return value
    if kind == "date":
        value = scalar()
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            errors.add(path, line, f"'{key}' must be a date as YYYY-MM-DD, not {shown(value)}")
            return None
    if kind == "strlist":
        if not isinstance(node, yaml.SequenceNode):
            errors.add(path, line, f"'{key}' must be a list of text")
            return None
        items = []
        for item in node.value:
            if not isinstance(item, yaml.ScalarNode) or not item.value.strip():
                errors.add(path, item.start_mark.line + 1, f"each of '{key}' must be non-empty text")
            elif (char := bad_character(item.value)) is not None:
                errors.add(
                    path,
                    item.start_mark.line + 1,
                    f"'{key}' holds {describe(char)}, which no edition can carry; remove it",
                )
            else:
                items.append(item.value)
        return items
    if kind == "mapping":
        if not isinstance(node, yaml.MappingNode):
            errors.add(path, line, f"'{key}' must be a mapping")
            return None
        return yaml.safe_load(yaml.serialize(node)) or {}
    if kind == "numbering":
        return _numbering(node, path, errors)
    if kind == "theme":
        from .theme import check

        if isinstance(node, yaml.MappingNode):  # keys that are lists or mappings: reported here, once
            pairs = [(k, v) for k, v in node.value if _key(k, path, errors) is not None]
            node = yaml.MappingNode(node.tag, pairs, node.start_mark, node.end_mark, node.flow_style)
        return check(node, path, errors)
    if kind == "contents":
        return _contents(node, path, errors)
    raise AssertionError(kind)


def _key(node: yaml.Node, path: Path, errors: Collector) -> str | None:
    """A mapping key as text, or None after saying it is not (YAML allows lists and mappings as keys)."""
    if isinstance(node, yaml.ScalarNode):
        return node.value
    errors.add(path, node.start_mark.line + 1, "a key must be a plain name, not a list or a mapping")
    return None


def _file_name(node: yaml.ScalarNode, path: Path, errors: Collector) -> bool:
    """Whether a contents path can name a file at all (no NUL, no control character)."""
    char = bad_character(node.value, name=True)
    if char is None:
        return True
    errors.add(path, node.start_mark.line + 1, f"chapter file name holds {describe(char)}; no file can have it")
    return False


def _numbering(node, path, errors) -> Numbering | None:
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.MappingNode):
        errors.add(path, line, "'numbering' must be a mapping such as {chapters: upper-roman, sections: arabic}")
        return None
    values = {}
    forms = FORMAT_KEYS.values()
    for key_node, value_node in node.value:
        key = _key(key_node, path, errors)
        kline = key_node.start_mark.line + 1
        if key is None:
            continue
        if key in forms:  # the label around the number: "{}、", "（{}）"
            form = value_node.value if isinstance(value_node, yaml.ScalarNode) else None
            problem = format_problem(form)
            if problem is None and (char := bad_character(form)) is not None:
                problem = f"holds {describe(char)}, which no edition can carry"
            if problem:
                errors.add(path, kline, f'numbering {key} {problem}; a form is such as "{{}}." or "（{{}}）"')
            else:
                values[key] = form
        elif key not in ("chapters", "sections", "subsections"):
            errors.add(
                path,
                kline,
                f"unknown numbering level {shown(key)}; use chapters, sections or subsections"
                f" (and {', '.join(forms)} for the label around the number)",
            )
        elif not isinstance(value_node, yaml.ScalarNode) or value_node.value not in STYLES:
            errors.add(path, kline, f"numbering of {key} must be one of {', '.join(STYLES)}")
        else:
            values[key] = value_node.value
    return Numbering(**values)


def _contents(node, path, errors) -> list[ContentsEntry] | None:
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.SequenceNode):
        errors.add(path, line, "'contents' must be a list of chapter files")
        return None
    if not node.value:
        errors.add(path, line, "'contents' lists no chapter files: the paper needs at least one")
        return []
    entries = []
    for item in node.value:
        iline = item.start_mark.line + 1
        if isinstance(item, yaml.ScalarNode) and item.value.strip():
            if _file_name(item, path, errors):
                entries.append(ContentsEntry(item.value.strip(), True, iline))
        elif isinstance(item, yaml.MappingNode):
            fields = {}
            for key_node, value_node in item.value:
                key = _key(key_node, path, errors)
                if key is not None:
                    fields[key] = value_node
            unknown = set(fields) - {"file", "numbered"}
            for key in sorted(unknown):
                errors.add(path, iline, f"unknown key {shown(key)} in a contents entry; use 'file' and 'numbered'")
            file_node = fields.get("file")
            numbered_node = fields.get("numbered")
            numbered = True
            if numbered_node is not None:
                if numbered_node.value not in ("true", "false"):
                    errors.add(path, numbered_node.start_mark.line + 1, "'numbered' must be true or false")
                numbered = numbered_node.value == "true"
            if not isinstance(file_node, yaml.ScalarNode) or not file_node.value.strip():
                errors.add(path, iline, "a contents entry needs 'file: path/to/chapter.md'")
            elif not unknown and _file_name(file_node, path, errors):
                entries.append(ContentsEntry(file_node.value.strip(), numbered, iline))
        else:
            errors.add(path, iline, "a contents entry is a file path or {file: …, numbered: false}")
    return entries

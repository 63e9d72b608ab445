"""`catalogue.yaml`: the site's title, base URL and the order of the papers, checked with line numbers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from ..errors import Collector, did_you_mean, shown
from ..textfile import compose_yaml, read_text

FILE = "catalogue.yaml"
KEYS = ("title", "description", "base_url", "language", "order")


@dataclass(frozen=True)
class Config:
    title: str = "Papers"
    description: str = ""
    base_url: str = ""  # absolute, ending in "/": the feed's and the sitemap's URLs start with it
    language: str = "en"
    order: tuple[str, ...] = ()  # slugs listed first, in this order; the others follow, newest first


def read_config(papers: Path, errors: Collector) -> Config:
    """The catalogue's settings (the defaults where there is no catalogue.yaml); problems go to errors."""
    path = papers / FILE
    if not path.exists():
        return Config()
    text = read_text(path, errors)
    root = compose_yaml(text, path, errors) if text is not None else None
    if root is None:
        return Config()
    if not isinstance(root, yaml.MappingNode):
        errors.add(path, root.start_mark.line + 1, "catalogue.yaml must be a mapping of keys")
        return Config()
    values: dict[str, object] = {}
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + 1
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if key not in KEYS:
            errors.add(path, line, f"unknown key {shown(key)}{did_you_mean(str(key), KEYS, 'keys')}")
            continue
        if key in values:
            errors.add(path, line, f"{key!r} is given twice")
            continue
        if key == "order":
            values[key] = _order(value_node, path, papers, errors)
        elif not isinstance(value_node, yaml.ScalarNode) or not value_node.value.strip():
            errors.add(path, value_node.start_mark.line + 1, f"{key!r} must be a text")
        else:
            values[key] = value_node.value.strip()
    if isinstance(base := values.get("base_url"), str):
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            errors.add(path, _line(root, "base_url"), f"base_url must be an absolute http(s) URL (got {shown(base)})")
        values["base_url"] = base if base.endswith("/") else base + "/"
    return Config(**{k: v for k, v in values.items() if v is not None})


def _order(node: yaml.Node, path: Path, papers: Path, errors: Collector) -> tuple[str, ...] | None:
    if not isinstance(node, yaml.SequenceNode):
        errors.add(path, node.start_mark.line + 1, "'order' must be a list of paper folders")
        return None
    slugs: list[str] = []
    for item in node.value:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.ScalarNode) or not item.value.strip():
            errors.add(path, line, "each entry of 'order' must be a paper folder's name")
        elif item.value in slugs:
            errors.add(path, line, f"{item.value!r} is listed twice")
        elif "/" in item.value or item.value.startswith(".") or not (papers / item.value / "paper.yaml").is_file():
            errors.add(path, line, f"no paper folder {shown(item.value)} (with a paper.yaml) in {papers}")
        else:
            slugs.append(item.value)
    return tuple(slugs)


def _line(root: yaml.MappingNode, key: str) -> int:
    return next((v.start_mark.line + 1 for k, v in root.value if getattr(k, "value", None) == key), 1)

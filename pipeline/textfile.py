"""Reading source text: UTF-8 (a BOM is fine), any line ending, no control characters; and its YAML.

Every input is bounded (docs/limits.md): a text file's size, and for YAML the nesting depth and the
number of values once aliases are expanded. Past a bound the reader stops with `path:line`, so no
input makes the work, the memory or a message grow without limit, nor a recursion overflow.

A text file is a regular file: a device (`/dev/zero`) or a pipe would otherwise be read for ever.
"""

from __future__ import annotations

import re
import stat
import unicodedata
from pathlib import Path

import yaml

from .errors import Collector

# Every edition is XML or has XML inside (XHTML, the DOCX parts): the source may hold no character
# that XML 1.0 cannot carry, even escaped.

MAX_TEXT_BYTES = 8 * 1024 * 1024  # one paper.yaml or chapter file
MAX_YAML_DEPTH = 32  # nested lists and mappings in paper.yaml or theme.yaml
MAX_YAML_VALUES = 10_000  # values in a YAML file once its aliases (*name) are expanded


# Control characters (Unicode category Cc), lone surrogates, and the two non-characters XML excludes.
_BAD = "\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
_BAD_IN_TEXT = re.compile(f"[{_BAD}]")  # tab and line feed are text
_BAD_IN_NAME = re.compile(f"[\t\n{_BAD}]")


def bad_character(text: str, name: bool = False) -> str | None:
    """The first character of text that no edition can carry (a control character other than tab
    and line feed, which a file name may not hold either; a lone surrogate; U+FFFE or U+FFFF)."""
    found = (_BAD_IN_NAME if name else _BAD_IN_TEXT).search(text)
    return found.group() if found else None


def describe(char: str) -> str:
    kind = "control character" if unicodedata.category(char) == "Cc" else "character"
    if unicodedata.category(char) == "Cs":
        kind = "lone surrogate"
    return f"{kind} U+{ord(char):04X}"


def decode(data: bytes, path, errors: Collector) -> str | None:
    """Text of a file's bytes with `\\n` line endings, or None after reporting why it can't be read."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        errors.add(path, line, f"not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8")
        return None
    return clean(text, path, errors)


def clean(text: str, path, errors: Collector) -> str:
    """Text with `\n` line endings, after reporting each line that holds a character no edition can carry."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    reported, counted, line = 0, 0, 1  # one message a line; line breaks counted up to `counted`
    for found in _BAD_IN_TEXT.finditer(text):
        line += text.count("\n", counted, found.start())
        counted = found.start()
        if line != reported:
            errors.add(path, line, f"{describe(found.group())} in the text; remove it")
            reported = line
    return text


def file_kind(mode: int) -> str:
    """What a path that is not a plain file is (from its st_mode), as messages name it."""
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"


def read_text(path: Path, errors: Collector) -> str | None:
    data = read_bytes(path, errors)
    return None if data is None else decode(data, path, errors)


def read_bytes(path: Path, errors: Collector) -> bytes | None:
    """A regular file's bytes, at most MAX_TEXT_BYTES, or None after reporting why not."""
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            errors.add(path, 1, "is a folder, not a file")
            return None
        if not stat.S_ISREG(mode):
            errors.add(path, 1, f"is {file_kind(mode)}, not a regular file; give a text file")
            return None
        with path.open("rb") as handle:
            data = handle.read(MAX_TEXT_BYTES + 1)
    except FileNotFoundError:
        errors.add(path, 1, "file not found")
        return None
    except OSError as exc:
        errors.add(path, 1, f"cannot read: {exc.strerror or exc}")
        return None
    if len(data) > MAX_TEXT_BYTES:
        errors.add(path, 1, f"file larger than {MAX_TEXT_BYTES // (1024 * 1024)} MiB, the limit for a source file")
        return None
    return data


class YamlLimit(yaml.MarkedYAMLError):
    """A YAML document past one of the bounds above."""


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe composer, counting as it goes: depth, and values with aliases expanded.

    PyYAML composes recursively (a RecursionError at some thousand levels) and shares an aliased node
    wherever it is used, so a few hundred bytes of nested aliases stand for billions of values once
    anything walks or prints them ("billion laughs"). Counting each node's expanded size as it is
    composed refuses both before anything walks them; an alias inside its own anchor is a loop.
    """

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self._depth = 0
        self._open: list[str | None] = []  # anchors of the nodes being composed
        self._sizes: dict[int, int] = {}  # id(node) -> values in it, aliases expanded

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self._open:
                raise YamlLimit(
                    None, None, f"alias *{event.anchor} is inside the value it names (a loop)", event.start_mark
                )
            return super().compose_node(parent, index)
        if self._depth >= MAX_YAML_DEPTH:
            raise YamlLimit(None, None, f"nested deeper than {MAX_YAML_DEPTH} levels, the limit", event.start_mark)
        self._depth += 1
        self._open.append(event.anchor)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
            self._open.pop()
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            children = []
        size = 1 + sum(self._sizes.get(id(child), 1) for child in children)
        if size > MAX_YAML_VALUES:
            raise YamlLimit(
                None,
                None,
                f"more than {MAX_YAML_VALUES:,} values once its aliases are expanded, the limit",
                node.start_mark,
            )
        self._sizes[id(node)] = size
        return node


def compose_yaml(text: str, path, errors: Collector) -> yaml.Node | None:
    """The YAML node graph of text (lines kept for messages), or None after reporting why not."""
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_node()
    except YamlLimit as exc:
        errors.add(path, exc.problem_mark.line + 1, f"YAML: {exc.problem}")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        errors.add(path, mark.line + 1 if mark else 1, f"YAML syntax: {exc.problem or exc.context}")
    except yaml.YAMLError as exc:
        errors.add(path, 1, f"YAML: {str(exc).splitlines()[0]}")
    finally:
        loader.dispose()
    return None

"""From a source folder (paper.yaml + Markdown chapters) to the document model.

Markdown is CommonMark parsed by markdown-it-py (raw HTML off: it stays text), plus tables,
footnotes and `{#id}` block attributes. Every problem found is collected with its `path:line`, and
`read_source` raises one SourceError listing them all.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.attrs import attrs_block_plugin
from mdit_py_plugins.footnote import footnote_plugin

from . import ids, numbering
from .errors import Collector
from .meta import ContentsEntry, read_metadata
from .model import (
    Block,
    BlockQuote,
    Code,
    CodeBlock,
    Document,
    Emph,
    Figure,
    Footnote,
    FootnoteRef,
    Image,
    Inline,
    LeadIn,
    LineBreak,
    Link,
    ListBlock,
    Loc,
    Numbering,
    Para,
    Section,
    Strong,
    Table,
    TableCell,
    Text,
    ThematicBreak,
    plain_text,
)
from .textfile import read_text

MAX_LEVEL = 3
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
URL_SCHEMES = {"http", "https", "mailto"}
ID_RE = re.compile(r"^[^\W\d][\w.-]*$")
DASH_RE = re.compile(r"^[—–-]+$")
NOTE_REF_RE = re.compile(r"(?<!\\)\[\^([^\]\s]+)\](?!:)")
CODE_SPAN_RE = re.compile(r"(`+).*?\1", re.S)


def markdown() -> MarkdownIt:
    return (
        MarkdownIt("commonmark", {"html": False, "typographer": False})
        .enable("table")
        .use(footnote_plugin)
        .use(attrs_block_plugin)
    )


def slugify(text: str) -> str:
    """A URL- and XML-safe id from a title: 'China's Law (2)' -> 'chinas-law-2'."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[^\w\s-]", "", text)
    text = re.sub(r"[\s_-]+", "-", text).strip("-")
    if not text:
        return "section"
    return text if ID_RE.match(text) else f"s-{text}"


def read_source(source_dir: str | Path) -> Document:
    """Read a source folder into a Document, or raise SourceError naming every problem."""
    source_dir = Path(source_dir)
    errors = Collector()
    if not (source_dir / "paper.yaml").is_file():
        errors.add(source_dir / "paper.yaml", 1, "file not found: a source folder holds paper.yaml and its chapters")
        errors.raise_if_any()
    meta, contents = read_metadata(source_dir / "paper.yaml", errors)
    reader = _Reader(source_dir, errors)
    files = reader.check_contents(contents)
    chapters = reader.read_chapters(files)
    errors.raise_if_any()
    assert meta is not None
    chapters = numbering.apply(tuple(_freeze(c) for c in chapters), meta.numbering or Numbering())
    return Document(meta=meta, chapters=chapters, source_dir=str(source_dir.resolve()))


# --- the reading itself ----------------------------------------------------------------------


@dataclass
class _Draft:
    """A section while it is being read; frozen into a Section at the end."""

    level: int
    title: tuple[Inline, ...]
    id: str
    numbered: bool
    loc: Loc
    blocks: list[Block] = field(default_factory=list)
    sections: list[_Draft] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)


@dataclass
class _File:
    entry: ContentsEntry
    path: Path  # on disk
    shown: str  # as shown in messages
    tree: SyntaxTreeNode
    env: dict


class _Reader:
    def __init__(self, source_dir: Path, errors: Collector) -> None:
        self.source_dir = source_dir
        self.root = source_dir.resolve()
        self.errors = errors
        self.md = markdown()
        self.ids: dict[str, Loc] = {}
        self.explicit_ids: dict[str, Loc] = {}
        self.links: list[tuple[str, Loc]] = []
        self.listed = 0
        self.footnote_count = 0
        self.figure_count = 0
        self.table_count = 0

    # 1. which files
    def check_contents(self, contents: list[ContentsEntry]) -> list[_File]:
        yaml_path = self.source_dir / "paper.yaml"
        seen: dict[str, int] = {}
        files = []
        self.listed = len(contents)
        for entry in contents:
            path = self.source_dir / entry.file
            try:
                resolved = path.resolve()
                resolved.relative_to(self.root)
            except ValueError:
                self.errors.add(yaml_path, entry.line, f"chapter file '{entry.file}' is outside the source folder")
                continue
            key = str(resolved)
            if key in seen:
                self.errors.add(yaml_path, entry.line, f"'{entry.file}' is listed twice (first on line {seen[key]})")
                continue
            seen[key] = entry.line
            if path.suffix.lower() != ".md":
                self.errors.add(yaml_path, entry.line, f"chapter file '{entry.file}' must be Markdown (.md)")
                continue
            if not path.is_file():
                self.errors.add(yaml_path, entry.line, f"chapter file '{entry.file}' not found in {self.source_dir}")
                continue
            text = read_text(path, self.errors)
            if text is None:
                continue
            if not text.strip():
                self.errors.add(path, 1, "the file is empty: a chapter starts with '# Title'")
                continue
            env: dict = {}
            tree = SyntaxTreeNode(self.md.parse(text, env))
            files.append(_File(entry, path, str(path), tree, env))
        # Explicit ids are reserved before any automatic id is made, wherever they stand.
        for file in files:
            for node in file.tree.walk():
                if node.type in ("heading", "paragraph", "table") and "id" in node.attrs:
                    self._explicit_id(str(node.attrs["id"]), Loc(file.shown, _line(node)))
        return files

    def _explicit_id(self, value: str, loc: Loc) -> None:
        if not ID_RE.match(value):
            self.errors.add(
                loc.path,
                loc.line,
                f"id '{value}' must start with a letter and hold only letters, digits, '-', '_' or '.'",
            )
        elif ids.reserved(value):
            why = " (ids ending in '-title' are the headings' own)" if value.endswith(ids.HEADING_SUFFIX) else ""
            self.errors.add(loc.path, loc.line, f"id '{value}' is used by the templates{why}; choose another")
        elif value in self.explicit_ids:
            first = self.explicit_ids[value]
            self.errors.add(loc.path, loc.line, f"duplicate id '{value}' (first at {first})")
        else:
            self.explicit_ids[value] = loc

    def _auto_id(self, base: str) -> str:
        if ids.reserved(base) and ids.reserved(f"{base}-2"):  # "fnref-1": every "-n" is a template's too
            base = f"s-{base}"
        candidate, n = base, 1
        while candidate in self.ids or candidate in self.explicit_ids or ids.reserved(candidate):
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def _claim_id(self, node: SyntaxTreeNode, fallback: str, loc: Loc) -> str:
        explicit = node.attrs.get("id")
        value = str(explicit) if explicit else self._auto_id(fallback)
        self.ids.setdefault(value, loc)
        return value

    # 2. each file into a chapter
    def read_chapters(self, files: list[_File]) -> list[_Draft]:
        chapters = []
        for file in files:
            chapter = self._chapter(file)
            if chapter is not None:
                chapters.append(chapter)
        if len(chapters) < self.listed:
            return chapters  # ids of unread chapters are unknown: link errors would only mislead
        for target, loc in self.links:
            if target[1:] not in self.ids:
                hint = _close(target[1:], self.ids)
                self.errors.add(
                    loc.path,
                    loc.line,
                    f"broken internal link '{target}': no heading, figure or table has that id{hint}",
                )
        return chapters

    def _chapter(self, file: _File) -> _Draft | None:
        self.file = file
        notes = {}
        for node in file.tree.children:
            if node.type == "footnote_block":
                for note in node.children:
                    notes[note.meta["id"]] = note
        self.notes = notes
        self.note_numbers = self._number_notes(file)
        self.note_refs: dict[int, list[str]] = {}
        chapter: _Draft | None = None
        stack: list[_Draft] = []
        for node in file.tree.children:
            if node.type == "footnote_block":
                continue
            loc = Loc(file.shown, _line(node))
            if node.type == "heading":
                level = int(node.tag[1])
                title = self._inlines(node.children[0], loc.line)
                if not title:
                    self.errors.add(loc.path, loc.line, "empty heading")
                draft = _Draft(
                    level=level,
                    title=title,
                    id=self._claim_id(node, slugify(plain_text(title)), loc),
                    numbered=file.entry.numbered
                    if level == 1
                    else "unnumbered" not in str(node.attrs.get("class", "")),
                    loc=loc,
                )
                if chapter is None:
                    if level != 1:
                        self.errors.add(
                            loc.path,
                            loc.line,
                            f"a chapter file starts with a level-1 heading '# Title', not level {level}",
                        )
                        return None
                    chapter = draft
                    stack = [draft]
                    continue
                if level == 1:
                    self.errors.add(
                        loc.path,
                        loc.line,
                        "a second level-1 heading: put each chapter in its own file listed in paper.yaml",
                    )
                    continue
                if level > MAX_LEVEL:
                    self.errors.add(
                        loc.path, loc.line, f"heading level {level}: headings go down to level {MAX_LEVEL} (###)"
                    )
                    continue
                while stack and stack[-1].level >= level:
                    stack.pop()
                parent = stack[-1]
                if level > parent.level + 1:
                    self.errors.add(
                        loc.path, loc.line,
                        f"heading skips a level: level {level} after level {parent.level} (use {'#' * (parent.level + 1)})",
                    )  # fmt: skip
                    continue
                parent.sections.append(draft)
                stack.append(draft)
                continue
            block = self._block(node, loc)
            if block is None:
                continue
            if chapter is None:
                self.errors.add(
                    loc.path, loc.line, "text before the chapter's heading: a chapter file starts with '# Title'"
                )
                return None
            stack[-1].blocks.append(block)
        if chapter is None:
            self.errors.add(file.shown, 1, "no chapter heading: a chapter file starts with '# Title'")
            return None
        for draft in _walk(chapter):
            if not draft.blocks and not draft.sections:
                what = "chapter" if draft.level == 1 else "section"
                self.errors.add(
                    draft.loc.path, draft.loc.line, f"empty {what} '{plain_text(draft.title)}': it has no text"
                )
        cited = sorted(self.note_numbers.items(), key=lambda item: item[1])
        blocks = {number: self._blocks(self.notes[local].children, None) for local, number in cited}
        # The references last: reading the notes found those that stand in notes.
        chapter.footnotes = [
            Footnote(
                number,
                ids.note_id(number),
                blocks[number],
                self._note_loc(local),
                tuple(self.note_refs.get(number, ())),
            )
            for local, number in cited
        ]
        return chapter

    def _number_notes(self, file: _File) -> dict[int, int]:
        """Each cited note's number, in the order of first citation as a reader meets them: a note is
        read where it is first cited, so a note cited from inside it comes next (as print and Word place
        them). With a stack, not recursion: a chain of notes citing notes may be long."""
        numbers: dict[int, int] = {}
        stack = [_refs_in(node for node in file.tree.children if node.type != "footnote_block")]
        while stack:
            ref = next(stack[-1], None)
            if ref is None:
                stack.pop()
                continue
            local = ref.meta["id"]
            if local not in numbers and local in self.notes:
                self.footnote_count += 1
                numbers[local] = self.footnote_count
                stack.append(_refs_in(self.notes[local].children))
        return numbers

    def _note_loc(self, local: int) -> Loc:
        note = self.notes[local]
        for child in note.walk():
            if child.map:
                return Loc(self.file.shown, child.map[0] + 1)
        return Loc(self.file.shown, 1)

    # blocks: a table of node type -> method
    def _blocks(self, nodes, _loc) -> tuple[Block, ...]:
        out = []
        for node in nodes:
            block = self._block(node, Loc(self.file.shown, _line(node)))
            if block is not None:
                out.append(block)
        return tuple(out)

    def _block(self, node: SyntaxTreeNode, loc: Loc) -> Block | None:
        handler = getattr(self, f"_b_{node.type}", None)
        if handler is None:
            self.errors.add(loc.path, loc.line, f"unsupported Markdown here: {node.type.replace('_', ' ')}")
            return None
        return handler(node, loc)

    def _b_paragraph(self, node, loc) -> Block | None:
        inlines = self._inlines(node.children[0], loc.line)
        if len(inlines) == 1 and isinstance(inlines[0], Image):
            image = inlines[0]
            self.figure_count += 1
            caption = (Text(image.title),) if image.title else (Text(image.alt),)
            fid = self._claim_id(node, f"fig-{self.figure_count}", loc)
            return Figure(image.src, image.alt, caption, fid, self.figure_count, loc)
        if not inlines:
            return None
        # A paragraph opening in bold ("**Protect personal information rights.** …", optionally after
        # "——") has a lead-in: the model says so, so every edition can style it as one.
        first = 1 if isinstance(inlines[0], Text) and DASH_RE.match(inlines[0].text) else 0
        if len(inlines) > first and isinstance(inlines[first], Strong):
            inlines = (*inlines[:first], LeadIn(inlines[first].children), *inlines[first + 1 :])
        return Para(inlines, loc)

    def _b_blockquote(self, node, loc):
        return BlockQuote(self._blocks(node.children, loc), loc)

    def _list(self, node, loc, ordered: bool):
        items = tuple(self._blocks(item.children, loc) for item in node.children)
        start = int(node.attrs.get("start", 1)) if ordered else 1
        tight = all(child.hidden for item in node.children for child in item.children if child.type == "paragraph")
        return ListBlock(ordered, start, items, loc, tight)

    def _b_bullet_list(self, node, loc):
        return self._list(node, loc, False)

    def _b_ordered_list(self, node, loc):
        return self._list(node, loc, True)

    def _b_fence(self, node, loc):
        return CodeBlock(node.content, node.info.strip().split(" ")[0], loc)

    def _b_code_block(self, node, loc):
        return CodeBlock(node.content, "", loc)

    def _b_hr(self, node, loc):
        return ThematicBreak(loc)

    def _b_table(self, node, loc):
        head, body = [], []
        for part in node.children:
            rows = head if part.type == "thead" else body
            for row in part.children:
                cells = []
                for cell in row.children:
                    style = str(cell.attrs.get("style", ""))
                    align = style.split(":", 1)[1] if style.startswith("text-align:") else ""
                    inlines = self._inlines(cell.children[0], _line(row)) if cell.children else ()
                    cells.append(TableCell(inlines, align))
                rows.append(tuple(cells))
        self.table_count += 1
        tid = self._claim_id(node, f"tbl-{self.table_count}", loc)
        return Table(tuple(head), tuple(body), (), tid, self.table_count, loc)

    # inlines
    def _inlines(self, inline_node: SyntaxTreeNode, line: int) -> tuple[Inline, ...]:
        self.line = line
        self._check_note_refs(inline_node.content, line)
        return _merge(self._convert(inline_node.children))

    def _convert(self, nodes) -> list[Inline]:
        out: list[Inline] = []
        for node in nodes:
            kind = node.type
            if kind == "text":
                out.append(Text(node.content))
            elif kind == "softbreak":
                out.append(Text(" "))
                self.line += 1
            elif kind == "hardbreak":
                out.append(LineBreak())
                self.line += 1
            elif kind == "strong":
                out.append(Strong(tuple(self._convert(node.children))))
            elif kind == "em":
                out.append(Emph(tuple(self._convert(node.children))))
            elif kind == "code_inline":
                out.append(Code(node.content))
            elif kind == "link":
                out.append(self._link(node))
            elif kind == "image":
                out.append(self._image(node))
            elif kind == "footnote_ref":
                out.append(self._note_ref(node))
            else:
                self.errors.add(self.file.shown, self.line, f"unsupported Markdown here: {kind.replace('_', ' ')}")
        return out

    def _check_note_refs(self, raw: str, line: int) -> None:
        """A `[^label]` (not escaped, not code) whose label has no definition stays text: say so."""
        defined = self.file.env.get("footnotes", {}).get("refs", {})
        raw = CODE_SPAN_RE.sub(lambda m: "\n" * m.group(0).count("\n"), raw)
        for match in NOTE_REF_RE.finditer(raw):
            if f":{match.group(1)}" not in defined:
                at = line + raw.count("\n", 0, match.start())
                label = match.group(1)
                self.errors.add(self.file.shown, at, f"footnote [^{label}] has no definition '[^{label}]: …'")

    def _link(self, node) -> Link:
        target = str(node.attrs.get("href", ""))
        loc = Loc(self.file.shown, self.line)
        children = tuple(self._convert(node.children))
        if target.startswith("#"):
            self.links.append((unquote(target), loc))
            target = unquote(target)
        elif urlsplit(target).scheme.lower() not in URL_SCHEMES:
            self.errors.add(
                loc.path, loc.line, f"link target '{target}' is neither '#id' of a heading nor an http(s) or mailto URL"
            )
        return Link(target, children, str(node.attrs.get("title") or ""))

    def _image(self, node) -> Image:
        src = unquote(str(node.attrs.get("src", "")))
        alt = plain_text(self._convert(node.children)) if node.children else node.content
        loc = Loc(self.file.shown, self.line)
        relative = src
        if urlsplit(src).scheme:
            self.errors.add(
                loc.path, loc.line, f"image '{src}' is not a file in the source folder (remote images are not fetched)"
            )
        else:
            path = (self.file.path.parent / src).resolve()
            try:
                relative = str(PurePosixPath(path.relative_to(self.root).as_posix()))
            except ValueError:
                self.errors.add(loc.path, loc.line, f"image '{src}' is outside the source folder")
            else:
                if path.suffix.lower() not in IMAGE_TYPES:
                    self.errors.add(loc.path, loc.line, f"image '{src}' is not PNG, JPEG, GIF, SVG or WebP")
                elif not path.is_file():
                    self.errors.add(loc.path, loc.line, f"image '{src}' not found")
        if not alt.strip():
            self.errors.add(loc.path, loc.line, f"image '{src}' has no alt text: write ![what it shows]({src})")
        return Image(relative, alt, str(node.attrs.get("title") or ""))

    def _note_ref(self, node) -> FootnoteRef:
        number = self.note_numbers[node.meta["id"]]
        refs = self.note_refs.setdefault(number, [])
        refs.append(ids.ref_id(number, len(refs) + 1))  # each reference its own id, for its back-link
        return FootnoteRef(number, ids.note_id(number), refs[-1])


# --- helpers ---------------------------------------------------------------------------------


def _line(node: SyntaxTreeNode) -> int:
    for child in node.walk():
        if child.map:
            return child.map[0] + 1
    return 1


def _refs_in(nodes):
    """The footnote references among these nodes, in reading order."""
    for node in nodes:
        for child in node.walk():
            if child.type == "footnote_ref":
                yield child


def _walk(draft: _Draft):
    yield draft
    for sub in draft.sections:
        yield from _walk(sub)


def _close(value: str, known) -> str:
    match = difflib.get_close_matches(value, list(known), n=1)
    return f"; did you mean '#{match[0]}'?" if match else ""


def _merge(nodes: list[Inline]) -> tuple[Inline, ...]:
    """Join neighbouring text and fold runs of spaces, as every edition shows them."""
    out: list[Inline] = []
    for node in nodes:
        if isinstance(node, Text) and not node.text:
            continue
        if isinstance(node, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + node.text)
        else:
            out.append(node)
    return tuple(Text(re.sub(r"[ \t\n]+", " ", n.text)) if isinstance(n, Text) else n for n in out)


def _freeze(draft: _Draft) -> Section:
    """A draft section as a frozen Section (labels come after, from the numbering styles)."""
    return Section(
        level=draft.level,
        title=draft.title,
        id=draft.id,
        label="",
        blocks=tuple(draft.blocks),
        sections=tuple(_freeze(sub) for sub in draft.sections),
        loc=draft.loc,
        footnotes=tuple(draft.footnotes),
        numbered=draft.numbered,
    )

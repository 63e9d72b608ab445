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
from mdit_py_plugins.footnote.index import footnote_ref

from . import ids
from .errors import Collector, shown
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
    Para,
    Section,
    Strong,
    Table,
    TableCell,
    Text,
    ThematicBreak,
    plain_text,
)
from .textfile import file_kind, read_text

MAX_LEVEL = 3
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
URL_SCHEMES = {"http", "https", "mailto"}
ID_RE = re.compile(r"^[^\W\d][\w.-]*$")
DASH_RE = re.compile(r"^[—–-]+$")
# A run of text that may hold a footnote reference: labels hold neither spaces nor ']'.
NOTE_RUN_RE = re.compile(r"[^\s\]]+\]?")
BACKTICKS_RE = re.compile(r"`+")
NOTE_STOP_RE = re.compile(r"[ \n\]]")  # where mdit-py-plugins' footnote_ref stops scanning a label

# Limits (docs/limits.md): past them the reader says so at path:line instead of working without
# bound or overflowing the recursion of the parser and the renderers.
MAX_BLOCK_NESTING = 12  # block quotes and lists inside each other
MAX_INLINE_NESTING = 24  # emphasis, bold and links inside each other
MAX_NOTE_LABEL = 100  # characters of a footnote label
MAX_HINT_CANDIDATES = 64  # ids compared for one "did you mean"


def markdown() -> MarkdownIt:
    md = (
        # markdown-it stops parsing, silently dropping the rest, at maxNesting: keep it above the
        # reader's own limits, which say so (and low enough for its recursive block parser).
        MarkdownIt("commonmark", {"html": False, "typographer": False, "maxNesting": 4 * MAX_BLOCK_NESTING})
        .enable("table")
        .use(footnote_plugin)
        .use(attrs_block_plugin)
    )
    md.inline.ruler.at("footnote_ref", _bounded_footnote_ref)
    return md


def _bounded_footnote_ref(state, silent: bool) -> bool:
    """mdit-py-plugins' footnote_ref, in linear time.

    It scans from each '[^' to the next space or ']', and the parser tries it at every '[^': for
    '[^[^[^…' that is to the paragraph's end each time, quadratic. Here the end of a run is found once
    and reused for every '[^' inside it, and a label longer than MAX_NOTE_LABEL is no reference (the
    reader reports it), so the original only ever scans a short label.
    """
    start = state.pos
    if not state.src.startswith("[^", start):
        return False
    cached = getattr(state, "_note_stop", None)
    if cached is not None and cached[0] <= start + 2 <= cached[1]:
        stop = cached[1]
    else:
        found = NOTE_STOP_RE.search(state.src, start + 2, state.posMax)
        stop = found.start() if found else state.posMax
        state._note_stop = (start + 2, stop)
    if stop >= state.posMax or state.src[stop] != "]" or stop - start - 2 > MAX_NOTE_LABEL:
        return False
    return footnote_ref(state, silent)


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
    paper = source_dir / "paper.yaml"
    try:
        root = source_dir.resolve()
    except (OSError, RuntimeError) as exc:
        errors.add(source_dir, 1, f"the source folder cannot be followed: {_reason(exc)}")
        errors.raise_if_any()
    # Like chapters and images, paper.yaml must be in the source: a link out of it is refused.
    if _outside(paper, root, errors, paper, 1, "paper.yaml"):
        errors.raise_if_any()
    if not paper.is_file():
        errors.add(paper, 1, "file not found: a source folder holds paper.yaml and its chapters")
        errors.raise_if_any()
    meta, contents = read_metadata(source_dir / "paper.yaml", errors)
    reader = _Reader(source_dir, errors)
    files = reader.check_contents(contents)
    chapters = reader.read_chapters(files)
    errors.raise_if_any()
    assert meta is not None
    # Not numbered here: numbering comes from the paper or the theme (look.Look.number), once.
    return Document(
        meta=meta,
        chapters=tuple(_freeze(c) for c in chapters),
        source_dir=str(root),
        para_links=tuple(reader.para_links),
    )


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


@dataclass
class _Chapter:
    """What the reader knows while it reads one chapter file, made anew for each (never left over
    from the chapter before)."""

    file: _File
    notes: dict[int, SyntaxTreeNode]  # the file's note definitions, by markdown-it's id
    note_numbers: dict[int, int]  # markdown-it's id -> the note's number in the document
    note_refs: dict[int, list[str]] = field(default_factory=dict)  # number -> its references' anchors
    line: int = 0  # the source line of the inline content being read (advanced at soft/hard breaks)


class _Reader:
    """The reading of one source folder: the document-wide state (ids, links, counters) lives here;
    one chapter's state lives in `self.chapter`, a `_Chapter` set at the start of each chapter."""

    chapter: _Chapter

    def __init__(self, source_dir: Path, errors: Collector) -> None:
        self.source_dir = source_dir
        self.root = source_dir.resolve()
        self.errors = errors
        self.md = markdown()
        self.ids: dict[str, Loc] = {}
        self.explicit_ids: dict[str, Loc] = {}
        self.links: list[tuple[str, Loc]] = []
        self.para_links: list[tuple[str, Loc]] = []  # links to paragraphs' anchors, checked once numbered
        self.suffixes: dict[str, int] = {}  # automatic id base -> its last suffix
        self.images: dict[Path, str | None] = {}  # image file -> why it cannot be read, or None
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
            if _outside(path, self.root, self.errors, yaml_path, entry.line, f"chapter file '{entry.file}'"):
                continue
            key = str(path.resolve())
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
            tokens = self.md.parse(text, env)
            if self._too_deep(tokens, str(path)):
                continue  # a tree that deep would overflow the recursion of what walks it
            files.append(_File(entry, path, str(path), SyntaxTreeNode(tokens), env))
        # Explicit ids are reserved before any automatic id is made, wherever they stand.
        for file in files:
            for node in file.tree.walk():
                if node.type in ("heading", "paragraph", "table") and "id" in node.attrs:
                    self._explicit_id(str(node.attrs["id"]), Loc(file.shown, _line(node)))
        return files

    def _too_deep(self, tokens, shown_path: str) -> bool:
        """Report quotes and lists, or emphasis and links, nested past the limits (from the flat token
        stream, before anything recursive walks it)."""
        deep = False
        containers = 0
        for token in tokens:
            if token.type in ("blockquote_open", "bullet_list_open", "ordered_list_open"):
                containers += 1
                if containers > MAX_BLOCK_NESTING:
                    where = token.map[0] + 1 if token.map else 1
                    self.errors.add(
                        shown_path,
                        where,
                        f"quotes and lists nested more than {MAX_BLOCK_NESTING} deep, the limit; flatten them",
                    )
                    return True
            elif token.type in ("blockquote_close", "bullet_list_close", "ordered_list_close"):
                containers -= 1
            elif token.type == "inline" and token.children:
                depth = 0
                for child in token.children:
                    depth += child.nesting
                    if depth > MAX_INLINE_NESTING:
                        where = token.map[0] + 1 if token.map else 1
                        self.errors.add(
                            shown_path,
                            where,
                            f"emphasis, bold and links nested more than {MAX_INLINE_NESTING} deep, the limit",
                        )
                        deep = True
                        break
        return deep

    def _explicit_id(self, value: str, loc: Loc) -> None:
        if not ID_RE.match(value):
            self.errors.add(
                loc.path,
                loc.line,
                f"id '{value}' must start with a letter and hold only letters, digits, '-', '_' or '.'",
            )
        elif ids.reserved(value):
            if ids.PARA_ID_RE.match(value):
                what = "has the form of a paragraph's anchor ('p-' … a digit: 'p-ii-3-4'); choose another"
            else:
                why = " (ids ending in '-title' are the headings' own)" if value.endswith(ids.HEADING_SUFFIX) else ""
                what = f"is used by the templates{why}; choose another"
            self.errors.add(loc.path, loc.line, f"id '{value}' {what}")
        elif value in self.explicit_ids:
            first = self.explicit_ids[value]
            self.errors.add(loc.path, loc.line, f"duplicate id '{value}' (first at {first})")
        else:
            self.explicit_ids[value] = loc

    def _auto_id(self, base: str) -> str:
        if ids.reserved(f"{base}-2"):
            # Every "base-n" is a template's or a paragraph's ("fnref-1-2", "p-values-2"): the base
            # itself if it is free, else a prefix that leaves the reserved forms.
            if not (ids.reserved(base) or base in self.ids or base in self.explicit_ids):
                return base
            base = f"s-{base}"
        # Each base remembers its last suffix, so ten thousand "Same" headings take linear time: an id
        # "base-n" has one base, so no id is stepped over twice.
        n = self.suffixes.get(base, 1)
        candidate = base if n == 1 else f"{base}-{n}"
        while candidate in self.ids or candidate in self.explicit_ids or ids.reserved(candidate):
            n += 1
            candidate = f"{base}-{n}"
        self.suffixes[base] = n
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
        hints = _Hints(self.ids)
        for target, loc in self.links:
            if target[1:] not in self.ids and ids.PARA_ID_RE.match(target[1:]):
                # A paragraph's anchor ("#p-ii-3-4") exists once the paragraphs are numbered, with the
                # theme's numbering: checked then (passages.check_links).
                self.para_links.append((target[1:], loc))
            elif target[1:] not in self.ids:
                hint = hints.close(target[1:])
                self.errors.add(
                    loc.path,
                    loc.line,
                    f"broken internal link {shown(target)}: no heading, figure or table has that id{hint}",
                )
        return chapters

    def _chapter(self, file: _File) -> _Draft | None:
        notes = {}
        for node in file.tree.children:
            if node.type == "footnote_block":
                for note in node.children:
                    notes[note.meta["id"]] = note
        self.chapter = _Chapter(file, notes, {})
        self.chapter.note_numbers = self._number_notes(file)
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
        cited = sorted(self.chapter.note_numbers.items(), key=lambda item: item[1])
        blocks = {number: self._blocks(self.chapter.notes[local].children, None) for local, number in cited}
        # The references last: reading the notes found those that stand in notes.
        chapter.footnotes = [
            Footnote(
                number,
                ids.note_id(number),
                blocks[number],
                self._note_loc(local),
                tuple(self.chapter.note_refs.get(number, ())),
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
            if local not in numbers and local in self.chapter.notes:
                self.footnote_count += 1
                numbers[local] = self.footnote_count
                stack.append(_refs_in(self.chapter.notes[local].children))
        return numbers

    def _note_loc(self, local: int) -> Loc:
        note = self.chapter.notes[local]
        for child in note.walk():
            if child.map:
                return Loc(self.chapter.file.shown, child.map[0] + 1)
        return Loc(self.chapter.file.shown, 1)

    # blocks: a table of node type -> method
    def _blocks(self, nodes, _loc) -> tuple[Block, ...]:
        out = []
        for node in nodes:
            block = self._block(node, Loc(self.chapter.file.shown, _line(node)))
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
        self.chapter.line = line
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
                self.chapter.line += 1
            elif kind == "hardbreak":
                out.append(LineBreak())
                self.chapter.line += 1
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
                self.errors.add(
                    self.chapter.file.shown, self.chapter.line, f"unsupported Markdown here: {kind.replace('_', ' ')}"
                )
        return out

    def _check_note_refs(self, raw: str, line: int) -> None:
        """A `[^label]` (not escaped, not code) whose label has no definition stays text: say so.

        Linear: a label holds no space and no ']', so each reference lies in one run of such
        characters ending at ']'; each run is looked at once, code spans are found once.
        """
        defined = self.chapter.file.env.get("footnotes", {}).get("refs", {})
        raw = _blank_code_spans(raw)
        counted, where = 0, line  # line breaks counted up to `counted`, so far
        for run in NOTE_RUN_RE.finditer(raw):
            text = run.group()
            if not text.endswith("]") or raw.startswith(":", run.end()):
                continue  # no reference ends here, or it is a definition "[^x]: …"
            at = text.find("[^")
            while at >= 0 and run.start() + at > 0 and raw[run.start() + at - 1] == "\\":
                at = text.find("[^", at + 1)  # an escaped "\\[^": the next one may still count
            label = text[at + 2 : -1] if at >= 0 else ""
            if not label:
                continue
            where += raw.count("\n", counted, run.start())
            counted = run.start()
            if len(label) > MAX_NOTE_LABEL:
                self.errors.add(
                    self.chapter.file.shown,
                    where,
                    f"footnote label {shown(label)} is longer than {MAX_NOTE_LABEL} characters",
                )
            elif f":{label}" not in defined:
                self.errors.add(
                    self.chapter.file.shown, where, f"footnote [^{label}] has no definition '[^{label}]: …'"
                )

    def _link(self, node) -> Link:
        target = str(node.attrs.get("href", ""))
        loc = Loc(self.chapter.file.shown, self.chapter.line)
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
        loc = Loc(self.chapter.file.shown, self.chapter.line)
        relative = src
        if urlsplit(src).scheme:
            self.errors.add(
                loc.path, loc.line, f"image '{src}' is not a file in the source folder (remote images are not fetched)"
            )
        else:
            path = self.chapter.file.path.parent / src
            if not _outside(path, self.root, self.errors, loc.path, loc.line, f"image {shown(src)}"):
                path = path.resolve()
                relative = str(PurePosixPath(path.relative_to(self.root).as_posix()))
                if path.suffix.lower() not in IMAGE_TYPES:
                    self.errors.add(loc.path, loc.line, f"image {shown(src)} is not PNG, JPEG, GIF, SVG or WebP")
                elif not path.exists():
                    self.errors.add(loc.path, loc.line, f"image {shown(src)} not found")
                elif not path.is_file():
                    self.errors.add(
                        loc.path, loc.line, f"image {shown(src)} is {file_kind(path.stat().st_mode)}, not a file"
                    )
                else:
                    if path not in self.images:
                        self.images[path] = _unreadable(path)
                    if self.images[path]:
                        self.errors.add(loc.path, loc.line, f"image {shown(src)} cannot be read: {self.images[path]}")
        if not alt.strip():
            self.errors.add(loc.path, loc.line, f"image {shown(src)} has no alt text: write ![what it shows]({src})")
        return Image(relative, alt, str(node.attrs.get("title") or ""))

    def _note_ref(self, node) -> FootnoteRef:
        number = self.chapter.note_numbers[node.meta["id"]]
        refs = self.chapter.note_refs.setdefault(number, [])
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


class _Hints:
    """ "Did you mean" for broken links, bounded: ids are indexed by length once, and each broken
    target is compared with at most MAX_HINT_CANDIDATES ids of the nearest lengths (difflib's cutoff
    of 0.6 rules out ids much shorter or longer anyway). Thousands of broken links stay linear."""

    def __init__(self, known) -> None:
        self.by_length: dict[int, list[str]] = {}
        for value in sorted(known):
            self.by_length.setdefault(len(value), []).append(value)
        self.memo: dict[str, str] = {}

    def close(self, value: str) -> str:
        value = value[:200]  # ids are short; a huge target is compared by its start
        if value not in self.memo:
            match = difflib.get_close_matches(value, self._candidates(len(value)), n=1)
            self.memo[value] = f"; did you mean '#{match[0]}'?" if match else ""
        return self.memo[value]

    def _candidates(self, length: int) -> list[str]:
        found: list[str] = []
        for step in range(length + 1):
            for size in (length - step, length + step) if step else (length,):
                found += self.by_length.get(size, [])[: MAX_HINT_CANDIDATES - len(found)]
            if len(found) >= MAX_HINT_CANDIDATES:
                break
        return found


def _blank_code_spans(raw: str) -> str:
    """raw with each code span (`…`, ``…``) blanked but its line breaks kept, in linear time.

    A span opens at a run of backticks and closes at the next run of the same length (CommonMark);
    a run with no such partner is text. The next same-length run of each run is found in one pass.
    """
    runs = [(m.start(), m.end()) for m in BACKTICKS_RE.finditer(raw)]
    partner: list[int | None] = [None] * len(runs)
    last: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        size = runs[index][1] - runs[index][0]
        partner[index] = last.get(size)
        last[size] = index
    out, kept, index = [], 0, 0
    while index < len(runs):
        other = partner[index]
        if other is None:
            index += 1
            continue
        start, end = runs[index][0], runs[other][1]
        out += [raw[kept:start], "\n" * raw.count("\n", start, end)]
        kept, index = end, other + 1
    out.append(raw[kept:])
    return "".join(out)


# The format each file name ending promises (what the editions declare the file as).
IMAGE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WEBP"}


def _unreadable(path: Path) -> str | None:
    """Why an image file cannot be shown (truncated, corrupt, not what its name says, too large), or
    None. Decoded in full here, so that no renderer meets a broken image (the DOCX crashed on one)."""
    if path.suffix.lower() == ".svg":
        return _unreadable_svg(path)
    import warnings

    from PIL import Image, ImageFile

    # WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process when it is imported: a
    # truncated image would then pass here. The reader wants the strict answer, whatever ran before.
    lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        with warnings.catch_warnings():
            # Past Image.MAX_IMAGE_PIXELS Pillow only warns: a picture that large is refused too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image.load()
                found = image.format
    except (
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        return str(exc) or type(exc).__name__
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    expected = IMAGE_FORMATS[path.suffix.lower()]
    if found != expected:
        return f"it holds {found} data, not {expected} as its name says"
    return None


def _unreadable_svg(path: Path) -> str | None:
    import lxml.etree

    # No DTD, no entities, no network: an SVG is only checked to be well-formed XML here.
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = lxml.etree.parse(str(path), parser).getroot()
    except (lxml.etree.XMLSyntaxError, OSError) as exc:
        return f"not well-formed XML: {getattr(exc, 'msg', None) or exc.strerror}"
    if root is None or lxml.etree.QName(root).localname != "svg":
        return "not an SVG image (its root element is not <svg>)"
    return None


def _outside(path: Path, root: Path, errors: Collector, where, line: int, what: str) -> bool:
    """Whether path leads outside the source folder or nowhere (a link loop): report it if so."""
    try:
        path.resolve(strict=False).relative_to(root)
    except ValueError:  # also a name with a NUL byte
        errors.add(where, line, f"{what} is outside the source folder")
        return True
    except (OSError, RuntimeError) as exc:  # RuntimeError: Python 3.11's "Symlink loop"
        errors.add(where, line, f"{what} cannot be followed: {_reason(exc)}")
        return True
    return False


def _reason(exc: BaseException) -> str:
    if isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == 40:  # ELOOP
        return "its links form a loop"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _merge(nodes: list[Inline]) -> tuple[Inline, ...]:
    """Join neighbouring text and fold runs of spaces, as every edition shows them (each run of text
    joined once: adding to a growing string node by node was quadratic in a long paragraph)."""
    out: list[Inline] = []
    run: list[str] = []

    def flush() -> None:
        text = "".join(run)
        run.clear()
        if text:
            out.append(Text(re.sub(r"[ \t\n]+", " ", text)))

    for node in nodes:
        if isinstance(node, Text):
            run.append(node.text)
        else:
            flush()
            out.append(node)
    flush()
    return tuple(out)


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

"""Every character the print edition shows has a glyph in the fonts its template declares.

WeasyPrint (through Pango) quietly takes a character its fonts lack from whatever font the machine
has, or draws an empty box when none has it ("、" comes out as a box). Either way the book differs
from machine to machine. So before layout, every character of the print HTML's text (the source's
words, the metadata, generated labels, the template's own words) and of the stylesheets' generated
content is looked up in the cmaps of the font files behind the template's `@font-face` rules.

A character passes when every `font-family` stack of the stylesheets reaches a family that has it in
all of its faces (a stack is a fallback chain: the print CSS ends each stack with the other
vendored family). Generic families (`serif`) count for nothing: they are the machine's fonts.
A missing character fails the build naming the character, the fonts, and where it occurs: the
source's `path:line`, the paper.yaml field, or the template or stylesheet line.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
import tinycss2

from ...errors import Diagnostic, SourceError
from ...meta import key_lines
from ...model import Document
from ...templates import resolve_inside, shown_path
from ...walk import located
from .engine import locate

TEMPLATE = "pdf/book.html"
GENERIC = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "math", "emoji", "fangsong"}
# Drawn by the layout engine itself: page and note numbers, list bullets, the hyphen at a line end.
ENGINE_TEXT = "0123456789.\u2022\u2010 "
# Metadata shown in the book, by the paper.yaml key it comes from.
META_FIELDS = ("title", "subtitle", "issuer", "country", "place", "date", "publisher", "rights", "provenance")
META_FIELDS += ("identifier", "contents_title")


@dataclass
class Stylesheets:
    faces: dict[str, list[Path]] = field(default_factory=dict)  # family (lower case) -> font files
    names: dict[str, str] = field(default_factory=dict)  # family (lower case) -> as written
    stacks: list[tuple[str, ...]] = field(default_factory=list)  # every font-family value, lower case
    generated: list[tuple[str, str | None, int]] = field(default_factory=list)  # (text, css path, line)
    roots: list[Path] = field(default_factory=list)  # the template folders, designer's first
    absent: list[tuple[str, int, str]] = field(default_factory=list)  # @font-face files not found: (css, line, url)


def check_glyphs(doc: Document, html: str, base: Path, templates) -> None:
    """Raise SourceError naming each character of the print edition that no declared font can show."""
    root = lxml.html.document_fromstring(html)
    sheets = _stylesheets(root, base, templates.roots())
    if sheets.absent:  # else reported as a family without @font-face, which hides the cause
        raise SourceError([Diagnostic(css, line, _absent_message(url)) for css, line, url in sheets.absent])
    # A family without @font-face is whatever the machine has under that name, if anything.
    undeclared = sorted({f for stack in sheets.stacks for f in stack if f not in sheets.faces})
    if undeclared or any(not stack for stack in sheets.stacks):
        raise SourceError(
            [
                Diagnostic(
                    shown_path(templates.find(TEMPLATE)),
                    1,
                    f"font family '{sheets.names.get(family, family)}' has no @font-face in the print stylesheets, so each machine would "
                    "use its own font or none: ship its files with @font-face rules (see the theme's body_font "
                    "and heading_font)",
                )
                for family in undeclared or ["(a generic family only)"]
            ]
        )
    covered = _coverage(sheets)
    body = root.find("body")
    shown = body.text_content() if body is not None else ""
    generated = "".join(text for text, _, _ in sheets.generated)
    missing = sorted({ch for ch in shown + generated + ENGINE_TEXT if ord(ch) not in covered and not _ignorable(ch)})
    if missing:
        raise SourceError(_where(missing, doc, sheets, templates))


# --- the fonts ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _cmap(path: str, mtime: float, size: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True, fontNumber=0) as font:
        return frozenset(font.getBestCmap() or ())


def cmap(path: Path) -> frozenset[int]:
    """The code points a font file maps to glyphs (cached while the file is unchanged)."""
    stat = path.stat()
    return _cmap(str(path), stat.st_mtime, stat.st_size)


def _family_coverage(sheets: Stylesheets, family: str) -> frozenset[int]:
    files = sheets.faces.get(family)
    if not files:
        return frozenset()
    return frozenset.intersection(*(cmap(path) for path in files))


def _coverage(sheets: Stylesheets) -> frozenset[int] | set[int]:
    families = {family: _family_coverage(sheets, family) for family in sheets.faces}
    stacks = sheets.stacks or [tuple(families)]
    result: set[int] | None = None
    for stack in stacks:
        reach: set[int] = set()
        for family in stack:
            reach |= families.get(family, frozenset())
        result = reach if result is None else result & reach
    return result or set()


def _font_names(sheets: Stylesheets) -> str:
    if not sheets.faces:
        return "any font (the print stylesheets declare no @font-face)"
    return ", ".join(sheets.names[f] for f in sheets.faces)


def _ignorable(ch: str) -> bool:
    # Control and format characters (line feeds, soft hyphens, joiners) are not drawn. The line and
    # paragraph separators (U+2028, U+2029) are: WeasyPrint draws the missing glyph for them.
    return unicodedata.category(ch) in ("Cc", "Cf")


# --- the stylesheets -------------------------------------------------------------------------


def _stylesheets(root, base: Path, roots: list[Path]) -> Stylesheets:
    sheets = Stylesheets(roots=roots)
    base_url = base.resolve().as_uri() + "/"
    for element in root.iter("link", "style"):
        if element.tag == "style":
            _read_css(element.text or "", base_url, None, sheets)  # the template's: placed by search
            continue
        if "stylesheet" not in (element.get("rel") or "").lower().split():
            continue
        url = urljoin(base_url, element.get("href") or "")
        path = _local(url, roots)
        if path is not None and path.is_file():
            _read_css(path.read_text(encoding="utf-8", errors="replace"), url, shown_path(path), sheets)
    return sheets


def _local(url: str, roots: list[Path]) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme != "file":
        return None
    found = locate(Path(unquote(parts.path)).resolve(), roots)
    return found if resolve_inside(found, roots) is not None else None  # never read a file outside


def _read_css(text: str, url: str, shown: str | None, sheets: Stylesheets) -> None:
    rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    for node in _declarations(rules, sheets, url):
        name = node.lower_name
        if name == "font-family":
            named = _families(node.value)
            for family in named:
                sheets.names[family.lower()] = family
            stack = tuple(f.lower() for f in named)
            if stack or any(t.type == "ident" and t.lower_value in GENERIC for t in node.value):
                sheets.stacks.append(stack)  # empty: generic families only (the machine's fonts)
        elif name in ("content", "string-set", "quotes", "hyphenate-character"):
            for token in _walk_tokens(node.value):
                if token.type == "string" and token.value:
                    sheets.generated.append((token.value, shown, token.source_line))


def _declarations(nodes, sheets: Stylesheets, url: str):
    """Every declaration, at any depth (@page margin boxes, @media, nested rules); @font-face apart."""
    for node in nodes:
        if node.type == "qualified-rule":
            yield from _declarations(
                tinycss2.parse_blocks_contents(node.content, skip_comments=True, skip_whitespace=True),
                sheets,
                url,
            )
        elif node.type == "at-rule" and node.content is not None:
            inner = tinycss2.parse_blocks_contents(node.content, skip_comments=True, skip_whitespace=True)
            if node.lower_at_keyword == "font-face":
                _font_face(inner, sheets, url)
            else:
                yield from _declarations(inner, sheets, url)
        elif node.type == "declaration":
            yield node


def _font_face(declarations, sheets: Stylesheets, url: str) -> None:
    family, sources = None, []
    for node in declarations:
        if node.type != "declaration":
            continue
        if node.lower_name == "font-family":
            names = _families(node.value)
            family = names[0] if names else None
        elif node.lower_name == "src":
            for token in _walk_tokens(node.value):
                if token.type == "url" or (token.type == "function" and token.lower_name == "url"):
                    value = token.value if token.type == "url" else _first_string(token.arguments)
                    path = _local(urljoin(url, value or ""), sheets.roots)
                    if path is not None and path.is_file():
                        sources.append(path.resolve())
                    elif value and urlsplit(urljoin(url, value)).scheme == "file":
                        css = _local(url, sheets.roots)
                        shown = shown_path(css) if css is not None else TEMPLATE
                        sheets.absent.append((shown, token.source_line, value))
                    break  # the first source is the one used
    if family and sources:
        sheets.faces.setdefault(family.lower(), []).extend(sources)
        sheets.names[family.lower()] = family


def _absent_message(url: str) -> str:
    message = f"font file '{url}' not found in the template folders"
    if "/cjk/" in url:  # too large for the repository: installed on demand
        message += "; the Chinese fonts are installed by `make fonts-cjk` (Noto CJK, from Debian's fonts-noto-cjk)"
    return message


def _families(tokens) -> list[str]:
    """The family names of a font-family value, in order (quoted or as identifiers)."""
    families, words = [], []
    for token in list(tokens) + [None]:
        if token is None or token.type == "literal" and token.value == ",":
            if words:
                families.append(" ".join(words))
            words = []
        elif token.type == "string":
            words.append(token.value)
        elif token.type == "ident":
            if token.lower_value in GENERIC or token.lower_value in ("inherit", "initial", "unset", "revert"):
                continue
            words.append(token.value)
    return families


def _first_string(tokens) -> str | None:
    for token in tokens:
        if token.type == "string":
            return token.value
    return None


def _walk_tokens(tokens):
    for token in tokens:
        yield token
        if token.type == "function":
            yield from _walk_tokens(token.arguments)


# --- where a missing character occurs ----------------------------------------------------------


def _where(missing: list[str], doc: Document, sheets: Stylesheets, templates) -> list[Diagnostic]:
    fonts = _font_names(sheets)
    found: list[Diagnostic] = []
    unplaced = set(missing)

    def report(path: str, line: int, ch: str, what: str = "") -> None:
        name = unicodedata.name(ch, "").lower()
        # The character itself only where it prints: a line separator would break the message's line.
        shown = f"'{ch}'" if ch.isprintable() else "a character"
        found.append(
            Diagnostic(path, line, f"no glyph for {shown} (U+{ord(ch):04X} {name}) in the print fonts ({fonts}){what}")
        )
        unplaced.discard(ch)

    # The source's text, each piece with its path:line.
    for loc, text in located_text(doc):
        for ch in sorted(set(text) & set(missing)):
            report(loc.path, loc.line, ch)
    # The paper's metadata, at its line in paper.yaml.
    paper = Path(doc.source_dir) / "paper.yaml"
    lines = paper.read_text(encoding="utf-8").splitlines() if paper.is_file() else []
    key_line = key_lines(paper) if paper.is_file() else {}  # a value's own line, even when escaped
    for key in META_FIELDS:
        value = str(getattr(doc.meta, key, "") or "")
        for ch in sorted(set(value) & set(missing)):
            line = key_line.get(key) or next((i for i, text in enumerate(lines, 1) if ch in text), 1)
            report(shown_path(paper), line, ch, f" (paper.yaml '{key}')")
    # The stylesheets' generated text.
    for text, where, line in sheets.generated:
        for ch in sorted(set(text) & set(missing)):
            if where is None:  # the template's own <style>
                where, line = _template_line(templates, ch)
            report(where, line, ch, " (generated content)")
    # Anything else: the paper's theme settings, the template's own words, the designer's theme.yaml,
    # the characters the layout engine draws itself.
    for ch in sorted(unplaced):
        line = next((i for i, text in enumerate(lines, 1) if ch in text), None)
        if line is not None:
            report(shown_path(paper), line, ch, " (paper.yaml)")
        else:
            path, line = _template_line(templates, ch)
            report(path, line, ch, " (print template text or theme setting)")
    return found


def _template_line(templates, ch: str) -> tuple[str, int]:
    for relative in ("pdf/book.html", "partials/body.html", "theme.yaml"):
        try:
            path = templates.find(relative)
        except SourceError:
            continue
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if ch in text:
                return shown_path(path), number
    return shown_path(templates.find("pdf/book.html")), 1


def located_text(doc: Document):
    """(Loc, text) for everything the source shows in the book: headings with their labels, paragraphs,
    lists, quotes, code, captions, table cells, note numbers and notes (not image alt text, which is
    not drawn)."""
    for node, loc in located(doc):
        kind = node.kind
        if kind in ("text", "code", "code_block"):
            yield loc, node.text
        elif kind == "footnote_ref":
            yield loc, str(node.number)
        elif kind == "section" and node.label:
            yield loc, node.label

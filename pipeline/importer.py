"""Plain-text white paper -> source folder (paper.yaml + one Markdown file per part).

The style it reads, one paragraph a line, blank lines between:

    Title
    [Date: 2023-06-20 Clicks:0]                       news-page header, optional
    [Beijing, March 16 (Xinhua) - … as follows:]      optional
    [Title again] [(March 2023)] [issuer lines…]      the title block
    [catalogue + its entries]                         optional, not kept: contents are generated
    preface / N、 Title / (N) Title / Conclusion      the body's headings
    paragraphs                                        "——…" and lead-in sentences kept as they are

`import_text` is pure (text in, files out) so tests can run it on any string; `write_import` puts
the files in a folder. The first line of the paper.yaml it writes is IMPORT_MARK: `import --force`
replaces only a folder so marked, and there only paper.yaml and the chapter files its contents list.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

from .errors import Collector, Diagnostic, SourceError
from .folder import check_folder, check_targets, os_errors, symlink_on_the_way, write_files
from .textfile import read_text

IMPORT_MARK = (
    "# Written by `pipeline import`; `import --force` replaces this file and the chapter files under contents."
)
# File names stay well under the file system's 255 bytes, however long a title is.
SLUG_MAX = 80
OWN_CHAPTER_RE = re.compile(r"chapters/\d{2,}-[a-z0-9-]+\.md")  # the names import_text gives

NUM = r"(?:\d+|[一二三四五六七八九十百]+)"
CHAPTER_RE = re.compile(rf"^{NUM}\s*、\s*(?P<title>\S.*)$")
SECTION_RE = re.compile(rf"^[(（]{NUM}[)）]\s*(?P<title>\S.*)$")
PREFACE_RE = re.compile(r"^(preface|foreword|introduction)$", re.I)
CONCLUSION_RE = re.compile(r"^(conclusion|concluding remarks|epilogue|closing remarks)$", re.I)
CATALOGUE_RE = re.compile(r"^(catalogue|contents|table of contents)$", re.I)
NEWS_DATE_RE = re.compile(r"^Date:\s*(?P<date>\d{4}-\d{2}-\d{2})\b")
WIRE_RE = re.compile(
    r"^(?P<place>[A-Z][\w .'’-]*?),\s+(?P<month>[A-Z][a-z]+)\.?\s+(?P<day>\d{1,2})\s+\((?P<agency>[^)]+)\)\s*[-–—]+\s*(?P<rest>.*)$"
)
PAPER_DATE_RE = re.compile(r"^\((?P<month>[A-Z][a-z]+)\s+(?P<year>\d{4})\)$")
AS_FOLLOWS_RE = re.compile(r"\s*The full text is as follows:?\s*$", re.I)
DASH = "——"
# The first sentence of a paragraph: up to the first . ! ? (and a closing quote) before a new sentence.
SENTENCE_RE = re.compile(r"^(?P<lead>.+?[.!?][\"”’']?)\s+(?=[A-Z\"“‘'(0-9])")
LEAD_IN_MAX_WORDS = 20

MONTHS = {m: i for i, m in enumerate(
    "January February March April May June July August September October November December".split(), 1
)}  # fmt: skip


@dataclass
class _Part:
    title: str
    numbered: bool
    line: int
    kind: str  # preface, chapter, conclusion
    # items: ("p", text) paragraphs and ("h", title) sections, in order
    items: list[tuple[str, str, int]] = field(default_factory=list)


def import_text(text: str, path: str = "<text>") -> dict[str, str]:
    """The files of a source folder (relative path -> content) for a plain-text white paper."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    paras = [(number, line.strip()) for number, line in enumerate(lines, 1) if line.strip()]
    problems: list[Diagnostic] = []
    if not paras:
        raise SourceError([Diagnostic(path, 1, "the text is empty")])

    title = paras[0][1]
    meta: dict[str, object] = {"title": title}
    block: list[str] = []
    news_date = wire = paper_date = None
    dated_at: dict[str, int] = {}  # which line gave the news, wire and paper date: for messages
    i = 1
    while i < len(paras) and not _is_heading(paras[i][1]) and not CATALOGUE_RE.match(paras[i][1]):
        line = paras[i][1]
        if m := NEWS_DATE_RE.match(line):
            news_date, dated_at["news"] = m.group("date"), paras[i][0]
        elif m := WIRE_RE.match(line):
            wire, dated_at["wire"] = m, paras[i][0]
        elif m := PAPER_DATE_RE.match(line):
            paper_date, dated_at["paper"] = m, paras[i][0]
        elif line != title:
            block.append(line)
        i += 1

    catalogue_title = None
    if i < len(paras) and CATALOGUE_RE.match(paras[i][1]):
        catalogue_title = paras[i][1]
        listed: set[str] = set()
        i += 1
        # The catalogue lists headings; the body starts where its first entry comes again.
        while i < len(paras) and _is_heading(paras[i][1]) and _norm(paras[i][1]) not in listed:
            listed.add(_norm(paras[i][1]))
            i += 1

    parts = _body(paras[i:], path, problems)
    if not parts:
        problems.append(
            Diagnostic(
                path,
                paras[min(i, len(paras) - 1)][0],
                "no chapters found: expected 'preface', 'N、 Title' or 'Conclusion' lines",
            )
        )
    released = _released(paper_date, wire, news_date, dated_at, path, problems)
    if problems:
        raise SourceError(problems)

    if len(block) >= 2:
        meta["issuer"], meta["country"] = block[-1], block[0]
    elif block:
        meta["issuer"] = block[0]
    meta["date"] = f"{paper_date.group('month')} {paper_date.group('year')}" if paper_date else f"{released:%B %Y}"
    meta["released"] = released.isoformat()
    if wire:
        meta["place"] = wire.group("place")
    meta["language"] = "en"
    meta["identifier"] = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{title} {released}')}"
    meta["slug"] = _cut(ascii_slug(title, "paper"), SLUG_MAX, "paper")
    if wire:
        sentence = AS_FOLLOWS_RE.sub("", wire.group("rest"))
        meta["description"] = sentence
        agency = wire.group("agency")
        meta["provenance"] = (
            f"{wire.group('place')}, {wire.group('month')} {wire.group('day')} ({agency}): {sentence}"
            + (f" News page dated {news_date}." if news_date else "")
        )
    if catalogue_title:
        meta["contents_title"] = catalogue_title

    files: dict[str, str] = {}
    contents = []
    number = 0
    for part in parts:
        if part.kind == "chapter":
            number += 1
            name = f"chapters/{number:02d}-{_short(part.title)}.md"
        elif part.kind == "preface":
            name = f"chapters/00-{_short(part.title)}.md"
        else:
            name = f"chapters/{number + 1:02d}-{_short(part.title)}.md"
        while name in files:
            name = name[:-3] + "-2.md"
        files[name] = _markdown(part)
        contents.append(name if part.numbered else {"file": name, "numbered": False})
    meta["contents"] = contents
    files["paper.yaml"] = _yaml(meta)
    return files


def _norm(line: str) -> str:
    return re.sub(r"\s+", " ", line).casefold()


def _is_heading(line: str) -> bool:
    return bool(PREFACE_RE.match(line) or CONCLUSION_RE.match(line) or CHAPTER_RE.match(line) or SECTION_RE.match(line))


def _body(paras, path, problems) -> list[_Part]:
    parts: list[_Part] = []
    for number, line in paras:
        if PREFACE_RE.match(line):
            parts.append(_Part(line, False, number, "preface"))
        elif CONCLUSION_RE.match(line):
            parts.append(_Part(line, False, number, "conclusion"))
        elif m := CHAPTER_RE.match(line):
            parts.append(_Part(m.group("title"), True, number, "chapter"))
        elif m := SECTION_RE.match(line):
            if not parts:
                problems.append(Diagnostic(path, number, f"section '{line}' comes before any chapter"))
                continue
            parts[-1].items.append(("h", m.group("title"), number))
        elif not parts:
            problems.append(
                Diagnostic(path, number, "text before the first heading (preface, 'N、 Title' or Conclusion)")
            )
        else:
            parts[-1].items.append(("p", line, number))
    for part in parts:
        if not part.items:
            problems.append(Diagnostic(path, part.line, f"'{part.title}' has no text"))
        for k, (kind, text, number) in enumerate(part.items):
            following = part.items[k + 1][0] if k + 1 < len(part.items) else None
            if kind == "h" and following in (None, "h"):
                problems.append(Diagnostic(path, number, f"section '{text}' has no text"))
    return parts


def ascii_slug(text: str, fallback: str) -> str:
    """A file-name-safe slug (ASCII letters, digits, '-'): 'Café Law' -> 'cafe-law'."""
    folded = unicodedata.normalize("NFKD", re.sub("['’]", "", text)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug or fallback


def _short(title: str, words: int = 6) -> str:
    return _cut("-".join(ascii_slug(title, "part").split("-")[:words]), SLUG_MAX - 10, "part")


def _cut(slug: str, limit: int, fallback: str) -> str:
    """A slug of at most `limit` characters, cut at a '-' where there is one."""
    if len(slug) <= limit:
        return slug
    cut = slug[: limit + 1]
    cut = cut.rsplit("-", 1)[0] if "-" in cut else cut[:limit]
    return cut.strip("-") or fallback


def _markdown(part: _Part) -> str:
    out = [f"# {escape(part.title, heading=True)}", ""]
    first_in_container = True
    for kind, text, _line in part.items:
        if kind == "h":
            out += [f"## {escape(text, heading=True)}", ""]
            first_in_container = True
            continue
        out += [_paragraph(text, lead_in_allowed=not first_in_container), ""]
        first_in_container = False
    return "\n".join(out)


def _paragraph(text: str, lead_in_allowed: bool) -> str:
    """A paragraph in Markdown; a short opening sentence after the first paragraph is a bold lead-in."""
    dash = DASH if text.startswith(DASH) else ""
    rest = text[len(dash) :].lstrip()
    # Spaces after the dash stay before the `**`: an opening `**` followed by a space is no emphasis.
    space = text[len(dash) : len(text) - len(rest)]
    m = SENTENCE_RE.match(rest)
    if (lead_in_allowed or dash) and m and len(m.group("lead").split()) <= LEAD_IN_MAX_WORDS:
        lead = m.group("lead")
        tail = rest[len(lead) :]
        return f"{dash}{space}**{escape(lead, start=False)}**{escape(tail, start=False)}"
    return escape(text)


_ALWAYS = re.compile(r"([\\`*_\[\]<])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# What opens a block at the start of a line: heading, quote, list, setext/thematic line, table,
# {attributes}, ~~~ fence (` * _ [ < are escaped everywhere).
_LINE_START = re.compile(r"^([#>+=|{~-]|\d+[.)](?=\s|$))")


def escape(text: str, start: bool = True, heading: bool = False) -> str:
    """Text as Markdown that reads back as exactly this text (no markup, entities or blocks)."""
    text = _ALWAYS.sub(r"\\\1", text)
    text = _ENTITY.sub(r"\\&", text)
    if heading:
        text = text.replace("#", "\\#")
    elif start:
        m = _LINE_START.match(text)
        if m:
            token = m.group(1)
            text = (token[:-1] + "\\" + token[-1]) + text[len(token) :]
    return text


def _released(paper_date, wire, news_date, dated_at, path, problems) -> dt.date:
    """The release date: the wire line's month and day in the paper's year, else what there is.

    A date that does not exist ("March 99", "2023-13-45", year 0) is the text's fault: reported at its line.
    """

    def date(year: int, month: int, day: int, said: str, line: int) -> dt.date | None:
        try:
            return dt.date(year, month, day)
        except ValueError:
            problems.append(Diagnostic(path, line, f"'{said}' is not a date; correct the text"))
            return None

    news = None
    if news_date:
        year, month, day = map(int, news_date.split("-"))
        news = date(year, month, day, f"Date: {news_date}", dated_at["news"])
    if wire and wire.group("month") in MONTHS:
        year = int(paper_date.group("year")) if paper_date else news.year if news else 1970
        month, day = wire.group("month"), wire.group("day")
        found = date(year, MONTHS[month], int(day), f"{month} {day}, {year}", dated_at["wire"])
    elif paper_date and paper_date.group("month") in MONTHS:
        month, year = paper_date.group("month"), paper_date.group("year")
        found = date(int(year), MONTHS[month], 1, f"{month} {year}", dated_at["paper"])
    else:
        found = news
    return found or dt.date(1970, 1, 1)


def _yaml(meta: dict) -> str:
    header = (
        f"{IMPORT_MARK}\n"
        "# The paper's metadata and the order of its parts. Chapter numbers and the contents are\n"
        "# generated; see README.md ('Editing the source') for every key.\n"
    )
    return header + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=100)


def write_import(files: dict[str, str], out: Path, text: Path, force: bool) -> list[str]:
    """Write an import's files into `out`; returns the earlier import's chapter files it removed.

    An empty or new folder is written into. A non-empty one only with `force`, and only if it is an
    earlier import (its paper.yaml carries IMPORT_MARK): then paper.yaml and the chapters are
    replaced, the chapter files the earlier paper.yaml listed and this import no longer writes are
    removed, and every other file (figures, notes, .git, a chapter it did not list) is kept. The
    text being imported is never replaced or removed, wherever it sits.
    """
    with os_errors(out):
        return _write_import(files, out, text, force)


def _write_import(files: dict[str, str], out: Path, text: Path, force: bool) -> list[str]:
    errors = Collector()
    check_folder(out, errors)
    errors.raise_if_any()
    earlier: set[str] = set()
    if out.is_dir() and any(out.iterdir()):
        if not force:
            errors.add(out, 1, "folder is not empty; use --force to replace the files of an earlier import")
        else:
            earlier = _earlier_import(out, errors)
        errors.raise_if_any()
    bad = check_targets(out, files, errors)
    for name in sorted(set(files) - bad):
        target = out / name
        if _same_file(target, text):
            errors.add(target, 1, "is the text being imported; it is never replaced: move it out of the folder")
        elif target.exists() and name not in earlier:
            errors.add(
                target, 1, "exists and was not written by the earlier import; move it away or choose another folder"
            )
    errors.raise_if_any()
    stale = [
        name
        for name in sorted(earlier - set(files))
        if symlink_on_the_way(out, name) is None and (out / name).is_file() and not _same_file(out / name, text)
    ]
    write_files(out, {name: content.encode("utf-8") for name, content in files.items()})
    removed = []
    for name in stale:
        try:
            (out / name).unlink()
            removed.append(name)
        except OSError as exc:  # the new import is complete; an old file left behind is only untidy
            print(f"{out / name}:1: could not remove this file of the earlier import: {exc.strerror}", file=sys.stderr)
    return removed


def _earlier_import(out: Path, errors: Collector) -> set[str]:
    """paper.yaml and the chapter files an earlier import in `out` wrote, or a diagnostic why it is none."""
    path = out / "paper.yaml"
    refuse = "--force replaces only the files of an earlier import; choose an empty or new folder"
    if path.is_symlink():
        errors.add(path, 1, "is a symbolic link; nothing is written through it")
        return set()
    if not path.is_file():
        errors.add(out, 1, f"not a source written by 'pipeline import' (it has no paper.yaml); {refuse}")
        return set()
    text = read_text(path, errors)  # UTF-8, size-limited, a regular file
    if text is None:
        return set()
    if IMPORT_MARK not in text.splitlines():
        errors.add(path, 1, f"not written by 'pipeline import' (it lacks the line '{IMPORT_MARK}'); {refuse}")
        return set()
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError) as exc:
        mark = getattr(exc, "problem_mark", None)
        errors.add(path, mark.line + 1 if mark else 1, "cannot read the earlier import's contents; fix the YAML")
        return set()
    contents = data.get("contents") if isinstance(data, dict) else None
    entries = contents if isinstance(contents, list) else []
    files = (entry.get("file") if isinstance(entry, dict) else entry for entry in entries)
    return {"paper.yaml"} | {name for name in map(_own_name, files) if name}


def _own_name(entry: object) -> str | None:
    """A contents entry that names a chapter file as the importer names them, or None.

    Only such files are the import's own: a chapter the editor added (`chapters/annex.md`) and any
    entry pointing out of the folder are never replaced or removed.
    """
    if not isinstance(entry, str):
        return None
    name = str(PurePosixPath(entry))
    return name if OWN_CHAPTER_RE.fullmatch(name) else None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False

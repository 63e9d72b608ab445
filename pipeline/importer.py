"""Plain-text white paper -> source folder (paper.yaml + one Markdown file per part).

The style it reads, one paragraph a line, blank lines between:

    Title
    [Date: 2023-06-20 Clicks:0]                       news-page header, optional
    [Beijing, March 16 (Xinhua) - … as follows:]      optional (or 新华社北京3月16日电 … 全文如下：)
    [Title again] [(March 2023)] [issuer lines…]      the title block (or （2023年3月）)
    [catalogue + its entries]                         optional, not kept: contents are generated
    preface / N、 Title / (N) Title / Conclusion      the body's headings, in one of the variants
                                                      of paperstyle.py ("I."/"1.", "一、"/"（一）")
    paragraphs                                        "——…" and lead-in sentences kept as they are

The variant's numbering goes to paper.yaml as `numbering` (unless it is the default "I."/"(1)"),
so the editions show the paper's own labels; a Chinese text gets `language: zh-Hans` (or zh-Hant).

`import_text` is pure (text in, files out) so tests can run it on any string, and `import_paper`
also returns what it guessed (`Guess.summary`); `write_import` puts the files in a folder. The first line of the paper.yaml it writes is IMPORT_MARK: `import --force`
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

from . import paperstyle
from .errors import Collector, Diagnostic, SourceError
from .folder import check_folder, check_targets, os_errors, symlink_on_the_way, write_files
from .model import Numbering
from .paperstyle import CATALOGUE_RE, Heading
from .paperstyle import shown as style_shown
from .textfile import read_text

IMPORT_MARK = (
    "# Written by `pipeline import`; `import --force` replaces this file and the chapter files under contents."
)
# File names stay well under the file system's 255 bytes, however long a title is.
SLUG_MAX = 80
OWN_CHAPTER_RE = re.compile(r"chapters/\d{2,}-[a-z0-9-]+\.md")  # the names import_text gives

NEWS_DATE_RE = re.compile(r"^Date:\s*(?P<date>\d{4}-\d{2}-\d{2})\b")
WIRE_RE = re.compile(
    r"^(?P<place>[A-Z][\w .'’-]*?),\s+(?P<month>[A-Z][a-z]+)\.?\s+(?P<day>\d{1,2})\s+\((?P<agency>[^)]+)\)\s*[-–—]+\s*(?P<rest>.*)$"
)
# "新华社北京9月1日电 国务院新闻办公室1日发布……白皮书。全文如下：" (the Chinese wire line)
ZH_WIRE_RE = re.compile(
    r"^(?P<agency>[^\s\d]{1,6}?社)(?P<place>[^\s\d，。]{1,12}?)(?P<month>\d{1,2})月(?P<day>\d{1,2})日电\s*(?P<rest>.*)$"
)
PAPER_DATE_RE = re.compile(r"^\((?P<month>[A-Z][a-z]+)\s+(?P<year>\d{4})\)$")
ZH_PAPER_DATE_RE = re.compile(r"^[(（](?P<year>\d{4})年(?P<month>\d{1,2})月[)）]$")  # "（2023年3月）"
AS_FOLLOWS_RE = re.compile(r"\s*(The full text is as follows:?|全文如下[:：]?)\s*$", re.I)
DASH = "——"
# The first sentence of a paragraph: up to the first . ! ? (and a closing quote) before a new sentence.
SENTENCE_RE = re.compile(r"^(?P<lead>.+?[.!?][\"”’']?)\s+(?=[A-Z\"“‘'(0-9])")
LEAD_IN_MAX_WORDS = 20
# In Chinese: up to the first 。！？ with more text after it, and no spaces to count words by.
ZH_SENTENCE_RE = re.compile(r"^(?P<lead>[^。！？]+?)(?P<stop>[。！？])(?=\S)")
LEAD_IN_MAX_CHARS = 30
MAX_CATALOGUE_CHECKS = 20  # candidate ends of a catalogue checked against the body, at most

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
    heading: Heading | None = None  # a chapter's heading as the text writes it (its number's form)
    sections: list[Heading] = field(default_factory=list)


@dataclass(frozen=True)
class Guess:
    """What the importer took the text to be, for the editor to check before editing (`summary`)."""

    language: str
    chapters: int
    sections: int
    lead_ins: int
    numbering: Numbering
    numbering_written: bool  # False: the default (I., (1)), left to the theme
    preface: str = ""
    conclusion: str = ""
    catalogue: str = ""  # its title; "(untitled)" for a list of headings before the body; "" for none
    without_sections: int = 0  # chapters with no sections

    def summary(self) -> list[str]:
        where = "in paper.yaml" if self.numbering_written else "the default, left to the theme"
        catalogue = f"'{self.catalogue}', dropped: the editions generate the contents" if self.catalogue else "none"
        sections = f"{self.sections}" + (
            f" ({_count(self.without_sections, 'chapter has', 'chapters have')} none)" if self.without_sections else ""
        )
        return [
            f"  language    {self.language}",
            f"  preface     {self.preface or 'none'}",
            f"  chapters    {self.chapters}",
            f"  sections    {sections}",
            f"  lead-ins    {self.lead_ins} (bold opening sentences; check them)",
            f"  conclusion  {self.conclusion or 'none'}",
            f"  catalogue   {catalogue}",
            f"  numbering   {style_shown(self.numbering)} ({where})",
        ]


@dataclass(frozen=True)
class Imported:
    files: dict[str, str]  # relative path -> content
    guess: Guess


def import_text(text: str, path: str = "<text>") -> dict[str, str]:
    """The files of a source folder (relative path -> content) for a plain-text white paper."""
    return import_paper(text, path).files


def import_paper(text: str, path: str = "<text>") -> Imported:
    """A source folder for a plain-text white paper, and what the importer guessed about it."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    paras = [(number, line.strip()) for number, line in enumerate(lines, 1) if line.strip()]
    problems: list[Diagnostic] = []
    if not paras:
        raise SourceError([Diagnostic(path, 1, "the text is empty")])
    style = paperstyle.detect([line for _, line in paras[1:]])

    title = paras[0][1]
    meta: dict[str, object] = {"title": title}
    block: list[str] = []
    news_date = wire = paper_date = None
    dated_at: dict[str, int] = {}  # which line gave the news, wire and paper date: for messages
    i = 1
    while i < len(paras) and not style.heading(paras[i][1]) and not CATALOGUE_RE.match(paras[i][1]):
        line = paras[i][1]
        if m := NEWS_DATE_RE.match(line):
            news_date, dated_at["news"] = m.group("date"), paras[i][0]
        elif m := WIRE_RE.match(line) or ZH_WIRE_RE.match(line):
            wire, dated_at["wire"] = m, paras[i][0]
        elif m := PAPER_DATE_RE.match(line) or ZH_PAPER_DATE_RE.match(line):
            paper_date, dated_at["paper"] = m, paras[i][0]
        elif line != title:
            block.append(line)
        i += 1

    catalogue_title = None
    catalogue_lost = False
    if i < len(paras) and CATALOGUE_RE.match(paras[i][1]):
        catalogue_title = paras[i][1]
        end = _catalogue_end(paras, i + 1, style)
        if end is None:
            problems.append(
                Diagnostic(
                    path,
                    paras[i][0],
                    "the catalogue's first entry does not come again: cannot tell where the text starts; "
                    "remove the catalogue or correct its first entry",
                )
            )
            catalogue_lost = True
        i = len(paras) if end is None else end
    elif (end := _catalogue_end(paras, i, style)) is not None:  # a list of the headings without a title
        catalogue_title, i = "", end

    parts = _body(paras[i:], style, path, problems)
    if not parts and not catalogue_lost:
        problems.append(
            Diagnostic(
                path,
                paras[min(i, len(paras) - 1)][0],
                "no chapters found: expected 'preface', 'N、 Title' (or 'I. Title', '一、标题') or 'Conclusion' lines",
            )
        )
    released = _released(paper_date, wire, news_date, dated_at, path, problems)
    if problems:
        raise SourceError(problems)

    if len(block) >= 2:
        meta["issuer"], meta["country"] = block[-1], block[0]
    elif block:
        meta["issuer"] = block[0]
    if paper_date and paper_date.re is ZH_PAPER_DATE_RE:
        meta["date"] = f"{paper_date.group('year')}年{int(paper_date.group('month'))}月"
    elif paper_date:
        meta["date"] = f"{paper_date.group('month')} {paper_date.group('year')}"
    else:
        meta["date"] = f"{released.year}年{released.month}月" if style.chinese else f"{released:%B %Y}"
    meta["released"] = released.isoformat()
    if wire:
        meta["place"] = wire.group("place")
    meta["language"] = style.language
    meta["identifier"] = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{title} {released}')}"
    meta["slug"] = _cut(ascii_slug(title, f"paper-{released.isoformat()}"), SLUG_MAX, "paper")
    if wire:
        sentence = AS_FOLLOWS_RE.sub("", wire.group("rest"))
        meta["description"] = sentence
        agency = wire.group("agency")
        if wire.re is ZH_WIRE_RE:
            said = f"{agency}{wire.group('place')}{wire.group('month')}月{wire.group('day')}日电"
            meta["provenance"] = f"{said}：{sentence}" + (f" 新闻页面日期 {news_date}。" if news_date else "")
        else:
            meta["provenance"] = (
                f"{wire.group('place')}, {wire.group('month')} {wire.group('day')} ({agency}): {sentence}"
                + (f" News page dated {news_date}." if news_date else "")
            )
    if catalogue_title:
        meta["contents_title"] = catalogue_title
    elif style.chinese:
        meta["contents_title"] = "目录"  # the generated contents' heading, in the paper's language

    first_chapter = next((p.heading for p in parts if p.heading), None)
    first_section = next((h for p in parts for h in p.sections), None)
    numbering = style.numbering(first_chapter, first_section)
    written = paperstyle.written(numbering)
    if written:
        meta["numbering"] = written

    files: dict[str, str] = {}
    contents = []
    number = lead_ins = 0
    for part in parts:
        short = _short(part.title, fallback=part.kind)
        if part.kind == "chapter":
            number += 1
            name = f"chapters/{number:02d}-{short}.md"
        elif part.kind == "preface":
            name = f"chapters/00-{short}.md"
        else:
            name = f"chapters/{number + 1:02d}-{short}.md"
        while name in files:
            name = name[:-3] + "-2.md"
        files[name], leads = _markdown(part, style.chinese)
        lead_ins += leads
        contents.append(name if part.numbered else {"file": name, "numbered": False})
    meta["contents"] = contents
    files["paper.yaml"] = _yaml(meta)
    chapters = [p for p in parts if p.kind == "chapter"]
    guess = Guess(
        language=style.language,
        chapters=len(chapters),
        sections=sum(len(p.sections) for p in parts),
        lead_ins=lead_ins,
        numbering=numbering,
        numbering_written=bool(written),
        preface=", ".join(p.title for p in parts if p.kind == "preface"),
        conclusion=", ".join(p.title for p in parts if p.kind == "conclusion"),
        catalogue="(untitled)" if catalogue_title == "" else catalogue_title or "",
        without_sections=sum(1 for p in chapters if not p.sections),
    )
    return Imported(files, guess)


def _key(line: str) -> str:
    """A heading as the catalogue and the body may both write it: spaces and case aside."""
    return re.sub(r"\s+", "", line).casefold()


def _catalogue_end(paras, start: int, style: paperstyle.Style) -> int | None:
    """Where the body starts after a catalogue whose entries begin at `start`, or None if none ends there.

    The catalogue is a run of headings. The body starts where the catalogue's structure starts
    again: at a second appearance of its first entry from which the body's headings, of the kinds
    the catalogue lists (a catalogue may list the chapters only), are the catalogue's entries in
    their order. A title repeated inside the catalogue ("(1) Background" in two chapters) ends
    nothing. If no appearance passes the check (an entry worded differently in the body), the
    first entry's second appearance.
    """
    run = []
    k = start
    while k < len(paras) and style.heading(paras[k][1]):
        run.append(k)
        k += 1
    if not run:
        return None
    keys = [_key(paras[j][1]) for j in run]
    candidates = [n for n in range(1, len(run)) if keys[n] == keys[0]]
    if not candidates:
        return None
    headings = [
        (j, _key(line), h.kind) for j, (_, line) in enumerate(paras[run[0] :], run[0]) if (h := style.heading(line))
    ]
    for n in candidates[:MAX_CATALOGUE_CHECKS]:
        kinds = {kind for j, _key_, kind in headings if run[0] <= j < run[n]}
        body = [key for j, key, kind in headings if j >= run[n] and kind in kinds]
        if body == keys[:n]:
            return run[n]
    return run[candidates[0]]


def _body(paras, style: paperstyle.Style, path, problems) -> list[_Part]:
    parts: list[_Part] = []
    chapters = sections = 0  # so far (sections: of the current part); a counted form needs the next number
    for number, line in paras:
        heading = style.heading(line)
        if heading is not None and style.counted(heading):
            expected = chapters + 1 if heading.kind == "chapter" else sections + 1
            if heading.number != expected or paperstyle.ends_like_a_sentence(heading.title):
                heading = None  # "1. A sentence that opens a paragraph." is a paragraph
        if heading is None:
            if not parts:
                problems.append(
                    Diagnostic(path, number, "text before the first heading (preface, 'N、 Title' or Conclusion)")
                )
            else:
                parts[-1].items.append(("p", line, number))
        elif heading.kind == "section":
            if not parts:
                problems.append(Diagnostic(path, number, f"section '{line}' comes before any chapter"))
                continue
            parts[-1].items.append(("h", heading.title, number))
            parts[-1].sections.append(heading)
            sections += 1
        else:
            numbered = heading.kind == "chapter"
            parts.append(
                _Part(
                    heading.title if numbered else line,
                    numbered,
                    number,
                    heading.kind,
                    heading=heading if numbered else None,
                )
            )
            chapters += numbered
            sections = 0
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


def _short(title: str, words: int = 6, fallback: str = "part") -> str:
    """A chapter file's name from its title; `fallback` for a title without ASCII letters (Chinese)."""
    return _cut("-".join(ascii_slug(title, fallback).split("-")[:words]), SLUG_MAX - 10, fallback)


def _cut(slug: str, limit: int, fallback: str) -> str:
    """A slug of at most `limit` characters, cut at a '-' where there is one."""
    if len(slug) <= limit:
        return slug
    cut = slug[: limit + 1]
    cut = cut.rsplit("-", 1)[0] if "-" in cut else cut[:limit]
    return cut.strip("-") or fallback


def _markdown(part: _Part, chinese: bool = False) -> tuple[str, int]:
    """A part as Markdown, and how many lead-ins it made."""
    out = [f"# {escape(part.title, heading=True)}", ""]
    first_in_container = True
    leads = 0
    for kind, text, _line in part.items:
        if kind == "h":
            out += [f"## {escape(text, heading=True)}", ""]
            first_in_container = True
            continue
        paragraph, lead = _paragraph(text, lead_in_allowed=not first_in_container, chinese=chinese)
        out += [paragraph, ""]
        leads += lead
        first_in_container = False
    return "\n".join(out), leads


def _paragraph(text: str, lead_in_allowed: bool, chinese: bool = False) -> tuple[str, bool]:
    """A paragraph in Markdown, and whether it opens with a lead-in: a short opening sentence after
    the first paragraph, or after "——", in bold."""
    dash = DASH if text.startswith(DASH) else ""
    rest = text[len(dash) :].lstrip()
    # Spaces after the dash stay before the `**`: an opening `**` followed by a space is no emphasis.
    space = text[len(dash) : len(text) - len(rest)]
    if chinese:
        m = ZH_SENTENCE_RE.match(rest)
        if (lead_in_allowed or dash) and m and len(m.group("lead")) <= LEAD_IN_MAX_CHARS:
            # The full stop stays outside the bold: CommonMark ends `**` after punctuation only before a
            # space or more punctuation, and Chinese has no space after "。".
            lead, stop = m.group("lead"), m.group("stop")
            tail = rest[len(lead) + len(stop) :]
            bold = f"**{escape(lead, start=False)}**"
            return f"{dash}{space}{bold}{escape(stop + tail, start=False)}", True
        return escape(text), False
    m = SENTENCE_RE.match(rest)
    if (lead_in_allowed or dash) and m and len(m.group("lead").split()) <= LEAD_IN_MAX_WORDS:
        lead = m.group("lead")
        tail = rest[len(lead) :]
        return f"{dash}{space}**{escape(lead, start=False)}**{escape(tail, start=False)}", True
    return escape(text), False


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
    wire_month = _month(wire.group("month")) if wire else None
    paper_month = _month(paper_date.group("month")) if paper_date else None
    if wire and wire_month is not None:
        year = int(paper_date.group("year")) if paper_date else news.year if news else 1970
        month, day = wire.group("month"), wire.group("day")
        said = f"{year}年{month}月{day}日" if wire.re is ZH_WIRE_RE else f"{month} {day}, {year}"
        found = date(year, wire_month, int(day), said, dated_at["wire"])
    elif paper_date and paper_month is not None:
        month, year = paper_date.group("month"), paper_date.group("year")
        said = f"{year}年{month}月" if paper_date.re is ZH_PAPER_DATE_RE else f"{month} {year}"
        found = date(int(year), paper_month, 1, said, dated_at["paper"])
    else:
        found = news
    return found or dt.date(1970, 1, 1)


def _month(said: str) -> int | None:
    """A month as the header writes it, "March" or "3" (in "3月"); None for a word that is no month."""
    return int(said) if said.isdigit() else MONTHS.get(said)


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


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"

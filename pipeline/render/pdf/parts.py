"""The print HTML cut into parts at chapter openings, so that each part can be laid out on its own core.

Every chapter opens on a recto (`break-before: right` in print.css), so a group of chapters lays out the
same alone as in the whole book, but for what it takes from the pages before it:
- its page numbers: the part starts its page counter at its first page's number (`@page :first
  { counter-reset: page N }`), a guess, verified after layout (`Plan.verify`);
- the pages of anchors in other parts, which the contents' `target-counter()` prints and every link
  needs (WeasyPrint drops a link to an anchor not in the document): each such anchor gets a stub, an
  empty block on a page laid out before the part's own (with a blank page, so the part opens on a
  recto) and dropped before the part is written; a `target-counter()` of it reads the anchor's
  guessed page (parthooks.carried). A page of its own for each stub, numbered so, cost 20 ms a page,
  and laid out after the contents, made WeasyPrint lay the contents out again: 10.2 s for the front
  matter at 10x, 5.2 s with them first;
- the blank verso a chapter may need before it: the part ends with an empty copy of the next part's
  first element (same tag and class, so the same page break and page type), whose page is dropped too;
  the blank page WeasyPrint made for it, if any, stays.

The cut is made by the content alone (the text's length), never by the number of cores, so that the
same source gives the same parts, and the same PDF, on any machine. A paper too short to gain from it
is one part, laid out as the whole document (`engine.lay_out`, the reference the parts are tested
against).
"""

from __future__ import annotations

import hashlib
import html as html_escape
import math
import re
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .engine import PrintJob

# The print HTML's length a part aims at: about 25 pages of the paper (2.6 KB of HTML a page). A part
# costs WeasyPrint a fixed ~0.15 s (style sheets, fonts, writing) on top of its pages, while layout
# grows faster than the page count (issue 21: two halves laid out one after the other took 0.77 of
# the whole), so parts of this size are cheaper than one whole even on one core.
PART_SIZE = 60_000
MAX_PARTS = 16
SENTINEL = "data-pipeline-sentinel"  # the empty element that ends a part (see the module's doc)
STUB_PAGE = "pipeline-stub"  # the page type of the page the stubs are laid out on
STUBS = "data-pipeline-stubs"  # the element that holds them
LEAD = 2  # the pages before a part's own where it has stubs: theirs and a blank one
# What an internal link costs to lay out beyond its text, in characters of HTML: a contents entry's
# leader and target-counter() (at 10x, the contents' 250 entries took as long as 140 KB of chapters).
LINK_COST = 500
# The stub page's margin boxes would be laid out for nothing.
MARGIN_BOXES = (
    "top-left-corner top-left top-center top-right top-right-corner bottom-left-corner bottom-left "
    "bottom-center bottom-right bottom-right-corner left-top left-middle left-bottom right-top right-middle "
    "right-bottom"
).split()
VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


@dataclass(frozen=True)
class Chunk:
    """A child element of <body>, as a span of the print HTML."""

    start: int
    end: int
    tag: str
    attrs: tuple[tuple[str, str | None], ...]
    ids: tuple[str, ...]  # the ids defined inside it, in order
    targets: frozenset[str]  # the anchors its links (`href="#x"`) name
    sections: tuple[tuple[str, int], ...]  # (id, position in `ids`) of each <section id> in it
    links: int = 0  # its internal links

    @property
    def cost(self) -> int:
        """What it costs to lay out, roughly, in characters of HTML."""
        return self.end - self.start + LINK_COST * self.links

    @property
    def opens_chapter(self) -> bool:
        """A chapter: a <section class="level1">, which print.css starts on a recto."""
        classes = (dict(self.attrs).get("class") or "").split()
        return self.tag == "section" and "level1" in classes

    def empty_copy(self) -> str:
        """The same element, empty and without its id: it breaks the page as this one does."""
        attrs = "".join(
            f' {name}="{html_escape.escape(value or "", quote=True)}"'
            for name, value in self.attrs
            if name not in ("id", "aria-labelledby", "aria-label")
        )
        return f'<{self.tag}{attrs} {SENTINEL}=""></{self.tag}>'


@dataclass(frozen=True)
class Skeleton:
    """The print HTML cut at <body>'s children: head (up to `</head>`), the rest of the prefix up to
    the first child, the children, and what follows the last."""

    html: str
    head_end: int  # where `</head>` starts
    body_start: int  # where the first child starts
    chunks: tuple[Chunk, ...]
    body_end: int  # where what follows the last child starts


class _Scanner(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lines = [0]
        for index, char in enumerate(html):
            if char == "\n":
                self.lines.append(index + 1)
        self.depth = 0  # inside <body>: 1 for its children
        self.in_body = False
        self.head_end = -1
        self.body_start = -1
        self.body_end = -1
        self.chunks: list[Chunk] = []
        self.current: dict | None = None
        self.loose_text = False

    def _here(self) -> int:
        line, column = self.getpos()
        return self.lines[line - 1] + column

    def handle_starttag(self, tag, attrs):
        self._start(tag, attrs, void=tag in VOID)

    def handle_startendtag(self, tag, attrs):
        self._start(tag, attrs, void=True)

    def _start(self, tag, attrs, void: bool) -> None:
        if not self.in_body:
            if tag == "body":
                self.in_body = True
            return
        start = self._here()
        if self.depth == 0:
            if self.body_start < 0:
                self.body_start = start
            self.current = {
                "start": start,
                "tag": tag,
                "attrs": tuple(attrs),
                "ids": [],
                "targets": set(),
                "sections": [],
                "links": 0,
            }
        values = dict(attrs)
        if self.current is not None:
            if values.get("id"):
                if tag == "section":
                    self.current["sections"].append((values["id"], len(self.current["ids"])))
                self.current["ids"].append(values["id"])
            href = values.get("href") or ""
            if href.startswith("#") and len(href) > 1:
                self.current["targets"].add(href[1:])
                self.current["links"] += 1
        if void:
            if self.depth == 0:
                self._close(self._here() + len(self.get_starttag_text() or ""))
            return
        self.depth += 1

    def handle_data(self, data):
        if self.in_body and self.depth == 0 and data.strip():
            self.loose_text = True  # text of <body> itself, outside its children: it lays out too

    def handle_endtag(self, tag):
        if not self.in_body:
            if tag == "head":
                self.head_end = self._here()
            return
        if tag == "body":
            self.body_end = self._here()
            self.in_body = False
            return
        if tag in VOID or self.depth == 0:
            return
        self.depth -= 1
        if self.depth == 0:
            rest = self.rawdata[self._here() :]
            self._close(self._here() + rest.index(">") + 1)

    def _close(self, end: int) -> None:
        c = self.current
        self.chunks.append(
            Chunk(
                c["start"],
                end,
                c["tag"],
                c["attrs"],
                tuple(c["ids"]),
                frozenset(c["targets"]),
                tuple(c["sections"]),
                c["links"],
            )
        )
        self.current = None


def skeleton(html: str) -> Skeleton | None:
    """The print HTML cut at <body>'s children; None where it is not plainly made so (then the whole
    document is laid out as one)."""
    scanner = _Scanner(html)
    try:
        scanner.feed(html)
        scanner.close()
    except (ValueError, AssertionError):
        return None
    if (
        min(scanner.head_end, scanner.body_start, scanner.body_end) < 0
        or scanner.current is not None
        or scanner.loose_text
    ):
        return None
    chunks = tuple(scanner.chunks)
    if not chunks or chunks[-1].end > scanner.body_end:
        return None
    return Skeleton(html, scanner.head_end, scanner.body_start, chunks, scanner.body_end)


def groups(chunks: tuple[Chunk, ...], part_size: int = PART_SIZE) -> tuple[tuple[int, int], ...]:
    """Where the parts start and end, as (first chunk, last chunk + 1): each part but the first starts
    at a chapter; as many parts as the text has `part_size`s (at most MAX_PARTS), cut so that the
    costliest part costs as little as the chapters allow."""
    cuts = [i for i, c in enumerate(chunks) if i > 0 and c.opens_chapter]
    bounds = [0, *cuts, len(chunks)]
    # The runs of chunks no part may be cut inside: the front matter with the first chapter's opening
    # before it, then each chapter with what follows it up to the next.
    segments = [sum(c.cost for c in chunks[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
    wanted = min(MAX_PARTS, len(segments), max(1, math.floor(sum(segments) / part_size + 0.5)))
    if wanted <= 1:
        return ((0, len(chunks)),)

    def pack(capacity: int) -> list[int]:
        """Greedy: the segment indexes that start a part, each part within `capacity` (or one segment)."""
        starts, load = [0], 0
        for index, cost in enumerate(segments):
            if load and load + cost > capacity:
                starts.append(index)
                load = 0
            load += cost
        return starts

    low, high = max(segments), sum(segments)
    while low < high:  # the least capacity that packs into `wanted` parts
        middle = (low + high) // 2
        if len(pack(middle)) <= wanted:
            high = middle
        else:
            low = middle + 1
    starts = pack(low)
    edges = [bounds[i] for i in starts] + [len(chunks)]
    return tuple(zip(edges, edges[1:], strict=False))


@dataclass(frozen=True)
class Part:
    """One part's print job and what the merge needs to know of it."""

    index: int
    job: PrintJob
    first_page: int  # the page number it was laid out to start at
    stubs: dict[str, int]  # anchor in another part -> the page number it was laid out at
    owns: frozenset[str]  # the ids defined in it
    sentinel: bool  # ends with the empty copy of the next part's first element
    cost: int = 0  # its chunks' cost (Chunk.cost): the costliest part is laid out first


@dataclass(frozen=True)
class Plan:
    skeleton: Skeleton
    bounds: tuple[tuple[int, int], ...]
    owner: dict[str, int] = field(default_factory=dict)  # id -> part index

    def part(self, job: PrintJob, index: int, first_page: int, pages: dict[str, int]) -> Part:
        """Part `index` starting at page `first_page`, its stubs at the pages `pages` says (a guess)."""
        sk = self.skeleton
        first, last = self.bounds[index]
        own = sk.chunks[first:last]
        owns = frozenset(i for c in own for i in c.ids)
        wanted = sorted({t for c in own for t in c.targets} - owns)
        stubs = {t: pages.get(t, first_page) for t in wanted if t in self.owner}
        body = []
        if stubs:
            # One page for them all, before the part's own (so that the pages they stand for are known
            # before the contents is laid out: WeasyPrint would lay the contents out again once it
            # found them), then a blank page, so that the part opens on a recto; both are dropped. A
            # target-counter() of a stub reads the page parthooks.carried says, not the stub page's.
            empty = " ".join(f"@{box} {{ content: none; }}" for box in MARGIN_BOXES)
            style = [f"@page :first {{ counter-reset: page {first_page - LEAD}; }}"]
            style.append(f"@page {STUB_PAGE} {{ size: 20mm; margin: 0; {empty} }}")
            anchors = "".join(f'<div id="{html_escape.escape(t, quote=True)}"></div>' for t in stubs)
            body.append(f'<div {STUBS}="" style="page: {STUB_PAGE}; break-after: right">{anchors}</div>')
        else:
            style = [f"@page :first {{ counter-reset: page {first_page}; }}"]
        body.extend(sk.html[c.start : c.end] for c in own)
        sentinel = last < len(sk.chunks)
        if sentinel:
            body.append(sk.chunks[last].empty_copy())
        html = (
            sk.html[: sk.head_end]
            + "<style>\n"
            + "\n".join(style)
            + "\n</style>\n"
            + sk.html[sk.head_end : sk.body_start]
            + "\n".join(body)
            + "\n"
            + sk.html[sk.body_end :]
        )
        cost = sum(c.cost for c in own)
        return Part(index, replace(job, html=html), first_page, stubs, owns, sentinel, cost)


# What a part laid out alone cannot know of the pages before it, in a template's CSS (checked as text,
# comments and all: a false alarm only costs the parallel layout): the page count, a counter other
# than the page's (a figure or footnote counter running through the chapters), a target's text or
# another counter of a target, a running element, a page selector counting the document's pages.
UNCUTTABLE = re.compile(
    r"(?<![-\w])counters?\((?!\s*(?:page|list-item)\s*[,)])"  # counter(pages), counter(figure), ...
    r"|target-counters?\([^,()]*(?:\([^()]*\))?[^,()]*,(?!\s*page\s*[,)])"  # target-counter(…, figure)
    r"|target-text\("
    r"|running\("
    r"|@page[^{]*:(?:first\b|nth\((?![^)]*\bof\b))",  # @page :first, @page :nth(3)
    re.IGNORECASE,
)
STYLESHEET = re.compile(r"<link\b[^>]*\brel=\"stylesheet\"[^>]*\bhref=\"([^\"]+)\"", re.IGNORECASE)
IMPORT = re.compile(r"@import\s+(?:url\()?\s*[\"']?([^\"')\s;]+)", re.IGNORECASE)


def cuttable(job: PrintJob) -> bool:
    """Whether the template's CSS (the print HTML's own and every style sheet it links or imports,
    found as the layout finds them) lets a part lay out alone as it would in the whole."""
    return not any(UNCUTTABLE.search(text) for text in style_texts(job))


def style_texts(job: PrintJob) -> list[str]:
    """The print HTML and the text of every style sheet it links or imports, on the search path."""
    from .engine import locate

    roots = [Path(r) for r in job.template_roots]
    seen: set[Path] = set()
    todo = [(Path(job.base_url), href) for href in STYLESHEET.findall(job.html)]
    texts = [job.html]
    while todo:
        folder, href = todo.pop()
        parts = urlsplit(href)
        if parts.scheme == "file":
            path = Path(unquote(parts.path))
        elif not parts.scheme:
            path = folder / unquote(parts.path)
        else:
            continue  # data: and the like hold no counters worth a false alarm
        path = locate(path.resolve(), roots)
        if path in seen or not any(path.is_relative_to(root.resolve()) for root in roots):
            continue
        seen.add(path)
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        texts.append(text)
        todo.extend((path.parent, found) for found in IMPORT.findall(text))
    return texts


def design_digest(job: PrintJob, plan: Plan) -> str:
    """What decides whether the parts lay out as the whole: the style sheets, the print HTML's head and
    the elements the parts open with. A build that found they did not remembers this digest, and the
    next build with the same one lays out in one piece at once."""
    sk = plan.skeleton
    digest = hashlib.sha256(sk.html[: sk.body_start].encode())
    for text in style_texts(job)[1:]:
        digest.update(b"\0" + text.encode())
    for first, _ in plan.bounds:
        chunk = sk.chunks[first]
        digest.update(b"\0" + repr((chunk.tag, chunk.attrs)).encode())
    return digest.hexdigest()


def plan(job: PrintJob, part_size: int = PART_SIZE) -> Plan | None:
    """How to cut this print job into parts; None if it is one part (laid out whole)."""
    sk = skeleton(job.html)
    if sk is None or not cuttable(job):
        return None
    bounds = groups(sk.chunks, part_size)
    if len(bounds) < 2:
        return None
    owner: dict[str, int] = {}
    for index, (first, last) in enumerate(bounds):
        for chunk in sk.chunks[first:last]:
            for anchor in chunk.ids:
                owner.setdefault(anchor, index)
    return Plan(sk, bounds, owner)

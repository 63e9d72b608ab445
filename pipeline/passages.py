"""Citable paragraphs: every body paragraph's number within its chapter and section, and its anchor.

Readers, journalists and lawyers quote a paper by passage, and a page number differs from edition to
edition. So every paragraph that stands directly in a section (not in a quote, a list or a note) gets
a number made of the counters of its chapter and section and its place there: "II.3.4" is the fourth
paragraph of section (3) of chapter II, "II.2" the second paragraph of chapter II before its first
section. The counters are the bare ones of the numbering style ("II", "3"; "二", "一" in Chinese), so
the number follows the paper's numbering. The anchor is made from it, "p-ii-3-4", and every edition
uses it: the web page's and the EPUB's element ids, the PDF's named destinations, the DOCX's bookmarks.

- A section without a number (an unnumbered heading, or a level whose style is "none") opens no count
  of its own: its paragraphs go on counting in the section above, so every number stays unique and a
  citation survives a designer's choice to hide a level's numbers.
- A chapter without a number (the preface, the conclusion) is named by its title in the number
  ("Preface.2") and by its id in the anchor ("p-preface-2").
- An anchor holds ASCII only: a counter that is not ASCII ("二") stands there as its ordinal ("p-2-1-4"),
  so a link survives every mail client and Word's bookmark rules.

Anchors are unique by construction: chapter ids are unique, counters among siblings are, and
`ids.reserved` keeps every content id out of the paragraphs' namespace ("p-…" ending in a digit).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace

from . import ids
from .errors import Diagnostic, SourceError
from .model import Document, Numbering, Para, Section
from .numbering import counter
from .walk import query


@dataclass(frozen=True)
class Scope:
    """Where a paragraph's count runs: the parts of its number as shown and in its anchor."""

    shown: tuple[str, ...]
    anchor: tuple[str, ...]


def number(chapters: tuple[Section, ...], styles: Numbering) -> tuple[Section, ...]:
    """The chapters with every body paragraph numbered (Para.number, Para.id)."""
    by_level = {1: styles.chapters, 2: styles.sections, 3: styles.subsections}
    out = []
    taken: dict[str, int] = {}
    ordinal = 0
    for chapter in chapters:
        ordinal += chapter.numbered  # counted as numbering.apply counts them
        part = _counter(chapter, ordinal, by_level)
        if part:
            scope = Scope((part[0],), (part[1],))
        else:
            scope = Scope((chapter.plain_title or chapter.id,), (chapter.id.lower(),))
        # An unnumbered chapter's id may read like a counter ("ii"): the second of two equal parts
        # takes a suffix that no counter has.
        seen = taken.get(scope.anchor[0], 0)
        taken[scope.anchor[0]] = seen + 1
        if seen:
            scope = Scope(scope.shown, (f"{scope.anchor[0]}_{seen + 1}",))
        out.append(_section(chapter, scope, [0], by_level))
    return tuple(out)


def _counter(section: Section, ordinal: int, by_level: dict[int, str]) -> tuple[str, str] | None:
    """(as shown, in the anchor) for a numbered section, else None."""
    if not (section.numbered and section.label):
        return None
    shown = counter(ordinal, by_level.get(section.level, "none"))
    if not shown:
        return None
    anchor = shown.lower() if shown.isascii() and shown.isalnum() else str(ordinal)
    return shown, anchor


def _section(section: Section, scope: Scope, count: list[int], by_level: dict[int, str]) -> Section:
    blocks = []
    for block in section.blocks:
        if isinstance(block, Para):
            count[0] += 1
            n = str(count[0])
            block = replace(
                block,
                number=".".join((*scope.shown, n)),
                id=ids.PARA_PREFIX + "-".join((*scope.anchor, n)),
            )
        blocks.append(block)
    subs = []
    ordinal = 0
    for sub in section.sections:
        ordinal += sub.numbered
        part = _counter(sub, ordinal, by_level)
        if part:
            subs.append(_section(sub, Scope((*scope.shown, part[0]), (*scope.anchor, part[1])), [0], by_level))
        else:
            subs.append(_section(sub, scope, count, by_level))
    return replace(section, blocks=tuple(blocks), sections=tuple(subs))


def check_links(doc: Document) -> None:
    """SourceError naming every link to a paragraph anchor that no paragraph has (`path:line`, with the
    closest anchor that exists: the numbering style decides the form, "p-ii-3-4" or "p-2-3-4")."""
    anchors = {p.id for p in query(doc, "para") if p.id}
    problems = []
    for anchor, loc in doc.para_links:
        if anchor not in anchors:
            close = difflib.get_close_matches(anchor, sorted(anchors), n=1)
            hint = f"; did you mean '#{close[0]}'?" if close else ""
            message = f"broken internal link '#{anchor}': no paragraph has that anchor{hint}"
            problems.append(Diagnostic(loc.path, loc.line, message))
    if problems:
        raise SourceError(problems)

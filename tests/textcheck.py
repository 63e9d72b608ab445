"""Checking that an edition's text holds every heading and paragraph of the source, in order."""

from __future__ import annotations

import re
import subprocess
import unicodedata

from pipeline.model import Document, plain_text

HYPHENS = "-\u2010\u2011\u00ad"


def pdf_text(path, layout: bool = False) -> str:
    """A PDF's text as pdftotext gives it, pages separated by form feeds; `layout` keeps each page's
    lines and columns where they stand."""
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def page_texts(path) -> list[str]:
    """Each page's text as pdftotext lays it out (index 0 is page 1)."""
    return pdf_text(path, layout=True).split("\f")[:-1]


def words(text: str) -> list[str]:
    """Comparable words: hyphenation at line ends undone, hyphens and case ignored, quotes unified."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(rf"[{HYPHENS}]\s*\n\s*", "", text)  # a word broken at a line end
    text = text.replace("\u00ad", "")
    text = re.sub(rf"[{HYPHENS}]", "", text)
    text = text.translate(str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'}))
    text = re.sub("([—–])", r" \1 ", text)  # a dash may or may not have a space beside it
    return text.lower().split()


def expected_pieces(doc: Document) -> list[tuple[str, str]]:
    """(what, text) of every heading and paragraph in reading order."""
    pieces = []

    def walk(section):
        pieces.append(("heading", section.plain_title))
        for block in section.blocks:
            if block.kind == "para":
                pieces.append(("paragraph", plain_text(block.inlines)))
        for sub in section.sections:
            walk(sub)

    for chapter in doc.chapters:
        walk(chapter)
    return pieces


def missing_in_order(doc: Document, edition_text: str, max_gap: int = 40) -> list[str]:
    """The pieces not found in order in the edition's text (empty when all are there).

    A piece's words must appear in sequence; up to `max_gap` other words may stand between two of
    them (running heads and page numbers interrupt a paragraph that crosses a page).
    """
    haystack = words(edition_text)
    position = 0
    missing = []
    for what, text in expected_pieces(doc):
        needle = words(text)
        found = _find(haystack, needle, position, max_gap)
        if found is None:
            missing.append(f"{what}: {text[:80]}")
        else:
            position = found
    return missing


def _find(haystack: list[str], needle: list[str], start: int, max_gap: int) -> int | None:
    if not needle:
        return start
    first = needle[0]
    for begin in range(start, len(haystack)):
        if haystack[begin] != first:
            continue
        at, ok = begin, True
        for word in needle[1:]:
            limit = min(len(haystack), at + 2 + max_gap)
            for nxt in range(at + 1, limit):
                if haystack[nxt] == word:
                    at = nxt
                    break
            else:
                ok = False
                break
        if ok:
            return at + 1
    return None

"""Every element id the editions use, named in one place.

Content ids (headings, figures, tables) come from the source or from the reader's slugs; the
templates add ids of their own (the page's landmarks, the contents, the notes, each heading's
`…-title`). Both kinds share one namespace in every HTML and XHTML document, so the reader refuses or
steps around every id the templates may use (`reserved`), and the built-in templates take their ids
from here (`TEMPLATE`, passed to them as `ids`), so that the two lists cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import astuple, dataclass


@dataclass(frozen=True)
class TemplateIds:
    """The fixed ids of the built-in templates (as `ids.top`, `ids.contents_title`, …). The web
    edition's site.js finds `main`, the three search elements and the "Cite this" box by these names."""

    top: str = "top"
    main: str = "main"
    contents_title: str = "contents-title"
    downloads_title: str = "downloads-title"
    search_input: str = "search-input"
    search_status: str = "search-status"
    search_results: str = "search-results"
    anchor_label: str = "anchor-label"
    toc: str = "toc"
    toc_title: str = "toc-title"
    landmarks: str = "landmarks"
    landmarks_title: str = "landmarks-title"
    book_title: str = "book-title"
    cite_title: str = "cite-title"
    cite_plain: str = "cite-plain"
    cite_passage: str = "cite-passage"
    cite_bibtex: str = "cite-bibtex"
    cite_csl: str = "cite-csl"
    cite_data: str = "cite-data"


TEMPLATE = TemplateIds()

# Names a designer's template may well use for its own furniture: kept free as well.
FURNITURE = frozenset("contents nav downloads search cover title-page imprint footnotes".split())

FIXED = frozenset(astuple(TEMPLATE)) | FURNITURE

HEADING_SUFFIX = "-title"  # a section `s` has its <section id="s"> and its heading <hN id="s-title">
NOTE_ID_RE = re.compile(r"^(fn-\d+|fnref-\d+(-\d+)?)$")
# A citable paragraph's anchor (pipeline/passages.py): "p-ii-3-4", "p-preface-2". Every id of this
# form is the paragraphs', so that no heading, figure or table can take one.
PARA_PREFIX = "p-"
PARA_ID_RE = re.compile(r"^p-.*[0-9]$")


def heading_id(section_id: str) -> str:
    return section_id + HEADING_SUFFIX


def note_id(number: int) -> str:
    return f"fn-{number}"


def ref_id(number: int, nth: int) -> str:
    """The id of the nth reference (1-based) to note `number`: "fnref-3", then "fnref-3-2", …"""
    return f"fnref-{number}" if nth == 1 else f"fnref-{number}-{nth}"


def reserved(value: str) -> bool:
    """True if the templates may give an element this id, so no heading, figure or table may have it.

    Any id ending in "-title" counts: it may be the heading id of a section with the id before it; and
    any of a paragraph's form ("p-…" ending in a digit)."""
    return (
        value in FIXED
        or value.endswith(HEADING_SUFFIX)
        or NOTE_ID_RE.match(value) is not None
        or PARA_ID_RE.match(value) is not None
    )


def id_problems(root) -> list[tuple[str, int, str]]:
    """(id, line, what) for each id of a rendered document (an lxml tree) that is used twice or is not
    an id at all (empty, or with a space). The content's ids are unique by construction and the
    built-in templates take theirs from TEMPLATE; a designer's template may still add one the content
    uses (`<div id="intro">` beside a heading "Intro"), which makes the edition invalid (EPUBCheck
    RSC-005, a web page whose links jump to the wrong place)."""
    seen: set[str] = set()
    problems = []
    for element in root.iter():
        value = element.get("id") if isinstance(element.tag, str) else None
        if value is None:
            continue
        if not value or any(c in " \t\n\r\f" for c in value):  # HTML: no ASCII whitespace
            problems.append((value, element.sourceline or 1, "is not an id (an id is one word, not empty)"))
        elif value in seen:
            problems.append(
                (value, element.sourceline or 1, "is used twice; a template's id must differ from the content's")
            )
        seen.add(value)
    return problems

"""Generated white papers in every style the importer takes, as a structure and as the text of it.

`PAPERS` draws a paper (preface, chapters with or without sections, conclusion, an optional
catalogue; titles repeat across chapters) in one style; `text_of` writes it as the office would;
`structure_of` reads the same structure out of an imported `Document`, so a property can say the
import gives back exactly what the text was made from.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from pipeline.model import Document, plain_text

# Written out, not computed by the code under test: at most MAX_CHAPTERS chapters and sections.
ROMAN = (None, "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
CJK = (None, "一", "二", "三", "四", "五", "六", "七", "八", "九", "十")
MAX_CHAPTERS = 5


def roman(n: int) -> str:
    return ROMAN[n]


def cjk_ideographic(n: int) -> str:
    return CJK[n]


# style -> (chapter label, section label) for the n-th heading as the text writes it; then what the
# editions show (the received English text's "1、" is shown as "I.", as it always was).
WRITTEN = {
    "received": (lambda n: f"{n}、 ", lambda n: f"({n}) "),
    "english": (lambda n: f"{roman(n)}. ", lambda n: f"{n}. "),
    "chinese": (lambda n: f"{cjk_ideographic(n)}、", lambda n: f"（{cjk_ideographic(n)}）"),
}
SHOWN = {
    "received": (lambda n: f"{roman(n)}.", lambda n: f"({n})"),
    "english": (lambda n: f"{roman(n)}.", lambda n: f"{n}."),
    "chinese": (lambda n: f"{cjk_ideographic(n)}、", lambda n: f"（{cjk_ideographic(n)}）"),
}
PREFACES = {"received": ["preface"], "english": ["Foreword", "Introduction", "Preface"], "chinese": ["前言", "引言"]}
CONCLUSIONS = {"received": ["Conclusion"], "english": ["Conclusion", "Epilogue"], "chinese": ["结束语", "结语"]}
CATALOGUES = {"received": "catalogue", "english": "Contents", "chinese": "目录"}
HEADER = {
    "received": ["A Paper on Roads and Rivers", "(March 2031)", "People's Republic of Nowhere", "Office of Roads"],
    "english": ["Roads and Rivers in the New Era", "(March 2031)", "Office of Roads"],
    "chinese": ["道路与河流的新进展", "（2031年3月）", "某国", "道路办公室"],
}

WORDS = "roads rivers plans people law order care land water bridges towns work".split()
CAPITAL = "Roads Rivers Plans People Law Order Care Land Water Bridges Towns Work".split()
# Han characters that are no numeral and no part of a preface, conclusion or catalogue word.
HAN = "城市绿地建设规划公园道路河流人民法治生态保护发展合作共享推进完善体系制度"

_EN_TITLE = st.builds(
    lambda first, rest: " ".join([first, *rest]), st.sampled_from(CAPITAL), st.lists(st.sampled_from(WORDS), max_size=4)
)
_EN_SENTENCE = st.builds(
    lambda first, rest: " ".join([first, *rest]) + ".",
    st.sampled_from(CAPITAL),
    st.lists(st.sampled_from(WORDS), max_size=8),
)
_EN_PARA = st.builds(
    lambda dash, sentences: ("——" if dash else "") + " ".join(sentences),
    st.booleans(),
    st.lists(_EN_SENTENCE, min_size=1, max_size=3),
)
_ZH_TITLE = st.text(st.sampled_from(HAN), min_size=2, max_size=8)
_ZH_SENTENCE = st.builds(
    lambda a, b: a + ("，" + b if b else "") + "。",
    st.text(st.sampled_from(HAN), min_size=2, max_size=20),
    st.text(st.sampled_from(HAN), max_size=12),
)
_ZH_PARA = st.builds(
    lambda dash, sentences: ("——" if dash else "") + "".join(sentences),
    st.booleans(),
    st.lists(_ZH_SENTENCE, min_size=1, max_size=3),
)


@dataclass(frozen=True)
class Part:
    title: str
    kind: str  # preface, chapter, conclusion
    paragraphs: tuple[str, ...]
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (title, paragraphs)


@dataclass(frozen=True)
class Paper:
    style: str
    parts: tuple[Part, ...]
    catalogue: bool

    def headings(self) -> list[str]:
        """Every heading as the editions show it (label, then the title), in reading order."""
        chapter_label, section_label = SHOWN[self.style]
        gap = "" if self.style == "chinese" else " "
        out, number = [], 0
        for part in self.parts:
            if part.kind == "chapter":
                number += 1
                out.append(f"{chapter_label(number)}{gap}{part.title}")
            else:
                out.append(part.title)
            out += [f"{section_label(k)}{gap}{title}" for k, (title, _) in enumerate(part.sections, 1)]
        return out


@st.composite
def papers(draw, style: str | None = None) -> Paper:
    style = style or draw(st.sampled_from(sorted(WRITTEN)))
    title, para = (_ZH_TITLE, _ZH_PARA) if style == "chinese" else (_EN_TITLE, _EN_PARA)
    if style == "english":  # sentences that open like a heading of the style, and are none
        para = st.one_of(
            para, st.builds(lambda n, p: n + p.lstrip("—"), st.sampled_from(["1. ", "2. ", "I. ", "II. "]), para)
        )
    paragraphs = st.lists(para, min_size=1, max_size=3).map(tuple)
    # A few titles, drawn again and again: chapters' sections repeat each other's titles.
    section_titles = draw(st.lists(title, min_size=1, max_size=3, unique=True))
    chapter_titles = draw(st.lists(title, min_size=1, max_size=MAX_CHAPTERS))
    parts = []
    if draw(st.booleans()):
        parts.append(Part(draw(st.sampled_from(PREFACES[style])), "preface", draw(paragraphs)))
    for name in chapter_titles:
        titles = draw(st.lists(st.sampled_from(section_titles), max_size=3))
        sections = tuple((t, draw(paragraphs)) for t in titles)
        parts.append(Part(name, "chapter", draw(paragraphs) if draw(st.booleans()) or not sections else (), sections))
    if draw(st.booleans()):
        parts.append(Part(draw(st.sampled_from(CONCLUSIONS[style])), "conclusion", draw(paragraphs)))
    return Paper(style, tuple(parts), draw(st.booleans()))


PAPERS = papers()


def text_of(paper: Paper) -> str:
    """The paper as a plain text in its style: header, catalogue, body; one paragraph a line."""
    chapter_label, section_label = WRITTEN[paper.style]
    headings, body, number = [], [], 0
    for part in paper.parts:
        if part.kind == "chapter":
            number += 1
            line = f"{chapter_label(number)}{part.title}"
        else:
            line = part.title
        headings.append(line)
        body += [line, *part.paragraphs]
        for k, (title, paragraphs) in enumerate(part.sections, 1):
            headings.append(f"{section_label(k)}{title}")
            body += [headings[-1], *paragraphs]
    catalogue = [CATALOGUES[paper.style], *headings] if paper.catalogue else []
    return "\n\n".join([*HEADER[paper.style], *catalogue, *body]) + "\n"


def structure_of(doc: Document) -> list[tuple]:
    """(heading as shown, numbered, paragraphs' text, sections as (heading, paragraphs)) of each chapter."""

    def paras(blocks) -> tuple[str, ...]:
        return tuple(plain_text(b.inlines) for b in blocks if b.kind == "para")

    return [
        (c.heading_text, c.numbered, paras(c.blocks), tuple((s.heading_text, paras(s.blocks)) for s in c.sections))
        for c in doc.chapters
    ]


def expected_structure(paper: Paper) -> list[tuple]:
    headings = iter(paper.headings())
    out = []
    for part in paper.parts:
        heading = next(headings)
        sections = tuple((next(headings), paragraphs) for _, paragraphs in part.sections)
        out.append((heading, part.kind == "chapter", part.paragraphs, sections))
    return out

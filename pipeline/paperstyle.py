"""The variants of the white-paper style a plain text may be in, told apart before the importer reads it.

The same office publishes its papers in a few styles; one paper keeps to one:

    chapters     sections     where
    1、 Title    (1) Title    the English text as received (the editions show "I." and "(1)")
    I. Title     1. Title     English editions
    一、标题     （一）标题   Chinese originals: full-width punctuation, no space after the number

plus a preface ("Preface", "Foreword", "Introduction", 前言 …), a conclusion ("Conclusion",
"Epilogue", 结束语 …) and a catalogue ("catalogue", "Contents", 目录), each optional. "I." and "1."
also open ordinary sentences ("1. This is a list…"), so a heading in those forms must carry the next
number and not end like a sentence; "1、" and "(1)" are headings wherever they stand, as before.

`Style.numbering()` turns what the paper uses into paper.yaml's `numbering`, so the editions show the
paper's own labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Numbering
from .numbering import FORMAT_KEYS, FORMATS, label, roman

CJK_NUMERALS = "〇零一二三四五六七八九十百千"
NUM = rf"(?:\d+|[{CJK_NUMERALS}]+)"
CHAPTER_RE = re.compile(rf"^(?P<num>{NUM})\s*、\s*(?P<title>\S.*)$")  # "1、 Title", "一、标题"
ROMAN_CHAPTER_RE = re.compile(r"^(?P<num>[IVXLC]+)\.\s+(?P<title>\S.*)$")  # "I. Title"
SECTION_RE = re.compile(rf"^(?P<open>[(（])(?P<num>{NUM})[)）]\s*(?P<title>\S.*)$")  # "(1) Title", "（一）标题"
DOT_SECTION_RE = re.compile(r"^(?P<num>\d+)\.\s+(?P<title>\S.*)$")  # "1. Title", under "I." chapters
COUNTED = (ROMAN_CHAPTER_RE, DOT_SECTION_RE)  # forms a sentence may open: headings only in sequence
SENTENCE_END = tuple(".;:!?。；：！？")  # a counted heading's title never ends so

PREFACE_RE = re.compile(r"^(preface|foreword|introduction|前言|序言|引言)$", re.I)
CONCLUSION_RE = re.compile(r"^(conclusion|concluding remarks|epilogue|closing remarks|结束语|结语|結束語|結語)$", re.I)
CATALOGUE_RE = re.compile(r"^(catalogue|contents|table of contents|目录|目錄)$", re.I)

HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN_RE = re.compile(r"[A-Za-z]")
# Characters each script writes differently (simplified, traditional), common in any paper: which of
# the two a Chinese text holds more of tells zh-Hans from zh-Hant.
SIMPLIFIED = "们这个国会发学对经与为说时后实网络体关系过进开问题还现设规划动区务报"
TRADITIONAL = "們這個國會發學對經與為說時後實網絡體關係過進開問題還現設規劃動區務報"
SIMPLIFIED_ONLY = set(SIMPLIFIED) - set(TRADITIONAL)
TRADITIONAL_ONLY = set(TRADITIONAL) - set(SIMPLIFIED)


@dataclass(frozen=True)
class Heading:
    kind: str  # preface, chapter, section, conclusion
    title: str
    number: int  # the chapter's or section's number as written (0 for a preface or conclusion)
    match: re.Match | None = None


@dataclass(frozen=True)
class Style:
    """The heading forms of one paper and whether it is written in Chinese."""

    chapter: re.Pattern
    section: re.Pattern
    chinese: bool = False
    traditional: bool = False

    @property
    def language(self) -> str:
        return ("zh-Hant" if self.traditional else "zh-Hans") if self.chinese else "en"

    def heading(self, line: str) -> Heading | None:
        """The heading a line is by its form alone (the body also checks a counted form's number)."""
        if PREFACE_RE.match(line):
            return Heading("preface", line, 0)
        if CONCLUSION_RE.match(line):
            return Heading("conclusion", line, 0)
        for kind, pattern in (("chapter", self.chapter), ("section", self.section)):
            if m := pattern.match(line):
                number = _value(m.group("num"))
                if number or pattern not in COUNTED:  # "1、" and "(1)" are headings as before, whatever the number
                    return Heading(kind, m.group("title"), number, m)
        return None

    def counted(self, heading: Heading) -> bool:
        """Whether a heading's form is one a sentence may open, so that it must carry the next number."""
        return heading.match is not None and heading.match.re in COUNTED

    def numbering(self, chapter: Heading | None, section: Heading | None) -> Numbering:
        """The numbering that shows this paper's labels, from its first chapter and section heading.

        An English text's "1、" and "(1)" are the Chinese forms carried over; its editions have always
        shown them as "I." and "(1)", the default. A Chinese paper keeps its forms as written.
        """
        chapters, chapter_format = "upper-roman", FORMATS[1]
        if chapter is not None and self.chapter is CHAPTER_RE:
            if _is_cjk(chapter.match.group("num")):
                chapters, chapter_format = "cjk-ideographic", "{}、"
            elif self.chinese:
                chapters, chapter_format = "arabic", "{}、"
        elif chapter is None and self.chinese:
            chapters, chapter_format = "cjk-ideographic", "{}、"
        sections, section_format = "arabic", FORMATS[2]
        if section is not None and self.section is DOT_SECTION_RE:
            section_format = "{}."
        elif section is not None and self.chinese:
            sections = "cjk-ideographic" if _is_cjk(section.match.group("num")) else "arabic"
            section_format = "（{}）" if section.match.group("open") == "（" else "({})"
        elif section is None and self.chinese:
            sections, section_format = "cjk-ideographic", "（{}）"
        return Numbering(
            chapters=chapters, sections=sections, chapter_format=chapter_format, section_format=section_format
        )


def detect(lines: list[str]) -> Style:
    """The style of a paper from its lines: which forms its headings take, and its language."""
    chapter = CHAPTER_RE
    if not any(CHAPTER_RE.match(line) for line in lines) and any(
        (m := ROMAN_CHAPTER_RE.match(line)) and m.group("num") == "I" for line in lines
    ):
        chapter = ROMAN_CHAPTER_RE
    section = SECTION_RE
    if (
        chapter is ROMAN_CHAPTER_RE
        and not any(SECTION_RE.match(line) for line in lines)
        and any((m := DOT_SECTION_RE.match(line)) and m.group("num") == "1" for line in lines)
    ):
        section = DOT_SECTION_RE
    text = "".join(lines)
    han = len(HAN_RE.findall(text))
    chinese = han > len(LATIN_RE.findall(text))
    traditional = chinese and sum(c in TRADITIONAL_ONLY for c in text) > sum(c in SIMPLIFIED_ONLY for c in text)
    return Style(chapter, section, chinese, traditional)


# The punctuation of the style's headings and text, in either language.
PUNCTUATION = frozenset("、，。；：？！“”‘’（）《》—…")


def fit(text: str) -> tuple[int, int]:
    """How well a reading of a text (an encoding's guess) fits the white-paper style: how many of its
    lines are headings or the catalogue, then how many of its characters are the style's punctuation."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    style = detect(lines[1:])
    headings = sum(1 for line in lines if style.heading(line) or CATALOGUE_RE.match(line))
    return headings, sum(1 for char in text if char in PUNCTUATION)


def written(numbering: Numbering) -> dict[str, str] | None:
    """paper.yaml's `numbering` for a guessed numbering: None for the default (the theme's), else the
    chapters' and sections' styles and any label form that is not the default."""
    if numbering == Numbering():
        return None
    out = {"chapters": numbering.chapters, "sections": numbering.sections}
    for level, key in FORMAT_KEYS.items():
        if getattr(numbering, key) != FORMATS[level]:
            out[key] = getattr(numbering, key)
    return out


def shown(numbering: Numbering) -> str:
    """The first chapter's and section's labels in a numbering: "I. / (1)", "一、 / （一）"."""
    chapter = label(1, numbering.chapters, 1, numbering.chapter_format)
    section = label(1, numbering.sections, 2, numbering.section_format)
    return f"{chapter} / {section}"


def ends_like_a_sentence(title: str) -> bool:
    return title.rstrip("\"”’'）)").endswith(SENTENCE_END)


_CJK_VALUES = {char: n for n, char in enumerate("一二三四五六七八九", 1)}
_CJK_UNITS = {"十": 10, "百": 100, "千": 1000}


def _is_cjk(num: str) -> bool:
    return not num.isascii()


def _value(num: str) -> int:
    """The value of a heading's number: "12", "XII" or "十二", "一百零五"; 0 if it is no well-formed number."""
    if num.isascii() and num.isdigit():
        return int(num)
    if num.isascii():  # a roman numeral, as roman() writes it
        return next((n for n in range(1, 400) if roman(n) == num), 0)
    total, digit = 0, None
    for char in num:
        if char in _CJK_UNITS:
            total += (1 if digit is None else digit) * _CJK_UNITS[char]
            digit = None
        elif char in "零〇":
            if digit is not None:
                return 0
        elif digit is not None:
            return 0  # two digits in a row ("一二"): no numeral
        else:
            digit = _CJK_VALUES[char]
    return total + (digit or 0)

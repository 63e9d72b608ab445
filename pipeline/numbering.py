"""Generated numbers for chapters and sections: the source never stores them."""

from __future__ import annotations

STYLES = ("upper-roman", "lower-roman", "arabic", "upper-alpha", "lower-alpha", "cjk-ideographic", "none")

# How a number of each level is shown around its counter ("II." / "(3)" / "2."), unless the paper's
# `numbering` gives its own form per level (chapter_format: "{}、", section_format: "（{}）").
FORMATS = {1: "{}.", 2: "({})", 3: "{}."}
FORMAT_KEYS = {1: "chapter_format", 2: "section_format", 3: "subsection_format"}

# CSS Counter Styles' cjk-ideographic (the informal form): 一 … 十, 十一, 二十, 一百零一, 一千一百一十.
_CJK_DIGITS = "零一二三四五六七八九"
_CJK_UNITS = ((1000, "千"), (100, "百"), (10, "十"))
MAX_FORMAT = 12  # characters of a label form: "（{}）" has 4
CJK_MAX = 9999  # as in CSS; beyond it the counter falls back to arabic digits

_ROMAN = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip


def roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


def alpha(n: int) -> str:
    letters = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def cjk_ideographic(n: int) -> str:
    """n in Chinese numerals as chapter numbers are written: 1 一, 10 十, 12 十二, 20 二十, 105 一百零五."""
    if not 0 < n <= CJK_MAX:
        return str(n)
    out, gap = [], False
    for value, unit in _CJK_UNITS:
        digit, n = divmod(n, value)
        if digit:
            if gap:
                out.append("零")
            out.append(_CJK_DIGITS[digit] + unit)
            gap = False
        elif out:
            gap = True
    if n:
        out.append(("零" if gap else "") + _CJK_DIGITS[n])
    text = "".join(out)
    return text[1:] if text.startswith("一十") else text  # 十一, not 一十一


def counter(n: int, style: str) -> str:
    """The bare counter for n in a style: counter(4, "upper-roman") == "IV"."""
    if style == "none":
        return ""
    if style == "arabic":
        return str(n)
    if style == "cjk-ideographic":
        return cjk_ideographic(n)
    if style.endswith("roman"):
        text = roman(n)
    elif style.endswith("alpha"):
        text = alpha(n)
    else:
        raise ValueError(f"unknown numbering style {style!r}")
    return text.lower() if style.startswith("lower") else text


def apply(chapters, styles) -> tuple:
    """The chapters with every numbered heading labelled in the given styles (a Numbering)."""
    from dataclasses import replace

    by_level = {1: styles.chapters, 2: styles.sections, 3: styles.subsections}
    forms = {level: getattr(styles, key, FORMATS[level]) for level, key in FORMAT_KEYS.items()}

    def number(sections, level: int) -> tuple:
        out, count = [], 0
        for section in sections:
            text = ""
            if section.numbered:
                count += 1
                text = label(count, by_level[level], level, forms[level])
            out.append(replace(section, label=text, sections=number(section.sections, level + 1)))
        return tuple(out)

    return number(chapters, 1)


def label(n: int, style: str, level: int, form: str | None = None) -> str:
    """The shown label of the n-th heading of a level: label(2, "upper-roman", 1) == "II.",
    label(2, "cjk-ideographic", 1, "{}、") == "二、"."""
    text = counter(n, style)
    return (form or FORMATS[level]).replace("{}", text, 1) if text else ""


def format_problem(form: object) -> str | None:
    """Why a label form (a paper's chapter_format, …) cannot be used, or None: it holds "{}" once, where
    the number goes, and no other brace (so it is never a format string that reads attributes)."""
    if not isinstance(form, str):
        return "must be text holding {} where the number goes"
    if form.count("{}") != 1 or form.replace("{}", "", 1).count("{") or form.replace("{}", "", 1).count("}"):
        return "must hold {} once, where the number goes, and no other brace"
    if len(form) > MAX_FORMAT:
        return f"is {len(form)} characters long; a label form has at most {MAX_FORMAT}"
    if any(c.isspace() and c != " " for c in form) or form != form.strip():
        return "may not begin or end with a space or hold a line break"
    return None

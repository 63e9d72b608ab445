"""Generated numbers for chapters and sections: the source never stores them."""

from __future__ import annotations

STYLES = ("upper-roman", "lower-roman", "arabic", "upper-alpha", "lower-alpha", "none")

# How a number of each level is shown around its counter ("II." / "(3)" / "2.").
FORMATS = {1: "{}.", 2: "({})", 3: "{}."}

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


def counter(n: int, style: str) -> str:
    """The bare counter for n in a style: counter(4, "upper-roman") == "IV"."""
    if style == "none":
        return ""
    if style == "arabic":
        return str(n)
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

    def number(sections, level: int) -> tuple:
        out, count = [], 0
        for section in sections:
            text = ""
            if section.numbered:
                count += 1
                text = label(count, by_level[level], level)
            out.append(replace(section, label=text, sections=number(section.sections, level + 1)))
        return tuple(out)

    return number(chapters, 1)


def label(n: int, style: str, level: int) -> str:
    """The shown label of the n-th heading of a level: label(2, "upper-roman", 1) == "II."."""
    text = counter(n, style)
    return FORMATS[level].format(text) if text else ""

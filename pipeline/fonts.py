"""The vendored fonts, in one table: every edition that names a font file asks here (the web edition
copies the WOFF2 ones, the EPUB cover draws with them, the DOCX layout measures with them). The files
themselves live in `templates/fonts/`, found on the template search path, so a designer's folder can
replace one; the print edition's fonts are declared by its stylesheet (`@font-face`), as CSS wants.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Font:
    family: str  # as stylesheets and Word name it
    weight: str  # "regular", "semibold", "bold"
    italic: bool
    stem: str  # the file name without its extension: fonts/<stem>.otf, fonts/web/<stem>.woff2
    web: bool = False  # shipped with the web edition

    @property
    def file(self) -> str:
        return f"fonts/{self.stem}.otf"

    @property
    def web_file(self) -> str:
        return f"fonts/web/{self.stem}.woff2"


SERIF = "Source Serif 4"
SANS = "Source Sans 3"

FONTS = (
    Font(SERIF, "regular", False, "SourceSerif4-Regular", web=True),
    Font(SERIF, "regular", True, "SourceSerif4-It", web=True),
    Font(SERIF, "bold", False, "SourceSerif4-Bold", web=True),
    Font(SERIF, "bold", True, "SourceSerif4-BoldIt"),
    Font(SERIF, "semibold", False, "SourceSerif4-Semibold"),
    Font(SERIF, "semibold", True, "SourceSerif4-SemiboldIt"),
    Font(SANS, "regular", False, "SourceSans3-Regular", web=True),
    Font(SANS, "regular", True, "SourceSans3-It"),
    Font(SANS, "semibold", False, "SourceSans3-Semibold", web=True),
    Font(SANS, "bold", False, "SourceSans3-Bold"),
)

# The licence of each family, shipped beside its files (the OFL asks for it).
LICENCES = {SERIF: "fonts/LICENSE-SourceSerif4.md", SANS: "fonts/LICENSE-SourceSans3.md"}


# For papers in Chinese: not in the repository (16–25 MB a face); `make fonts-cjk` extracts them from
# Debian's fonts-noto-cjk into templates/fonts/cjk/ (scripts/cjk_fonts.py). No italics: Chinese has none.
CJK_FOLDER = "fonts/cjk"  # in the template folders
CJK_SERIF = "Noto Serif CJK SC"
CJK_SANS = "Noto Sans CJK SC"
CJK_FONTS = (
    Font(CJK_SERIF, "regular", False, "cjk/NotoSerifCJKsc-Regular"),
    Font(CJK_SERIF, "bold", False, "cjk/NotoSerifCJKsc-Bold"),
    Font(CJK_SANS, "regular", False, "cjk/NotoSansCJKsc-Regular"),
    Font(CJK_SANS, "bold", False, "cjk/NotoSansCJKsc-Bold"),
)
CJK_LICENCE = "fonts/cjk/LICENSE-NotoCJK.txt"  # Debian's copyright file of fonts-noto-cjk


def is_cjk(language: str) -> bool:
    """Whether a paper's language (a BCP 47 tag) is set with the CJK fonts: Chinese, in any script or
    region (zh, zh-Hans, zh-CN, zh-Hant-TW)."""
    return language.lower().split("-")[0] == "zh"


def font(family: str, weight: str = "regular", italic: bool = False) -> Font:
    """The vendored face of a family nearest to the one asked for: the weight, else regular; italic,
    else upright (Source Sans 3 has no bold italic: its bold is slanted by the reader)."""
    faces = [f for f in FONTS if f.family.lower() == family.lower()]
    if not faces:
        raise KeyError(family)
    for want_weight, want_italic in ((weight, italic), (weight, False), ("regular", italic), ("regular", False)):
        for face in faces:
            if face.weight == want_weight and face.italic == want_italic:
                return face
    return faces[0]


def web_fonts() -> tuple[Font, ...]:
    return tuple(f for f in FONTS if f.web)

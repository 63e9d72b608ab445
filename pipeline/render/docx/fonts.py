"""The fonts the DOCX edition names, in one table: the vendored families and their files (for the
contents' page estimates and the reference document's font table), and the monospaced face of code.

DOCX files do not embed fonts: the styles name the families, and the font table describes each
(PANOSE class, generic family, pitch), which Word and LibreOffice use to choose the nearest installed
font where a reader lacks one.
"""

from __future__ import annotations

from dataclasses import dataclass

from ... import fonts as registry


@dataclass(frozen=True)
class Family:
    name: str  # a vendored family (pipeline/fonts.py has its files)
    generic: str  # the font table's w:family: roman (serif), swiss (sans), modern (monospaced)

    def file(self, bold: bool, italic: bool) -> str:
        """The file of the face, or of the nearest vendored one (Source Sans 3 has no bold italic)."""
        return registry.font(self.name, "bold" if bold else "regular", italic).file


SERIF = Family(registry.SERIF, "roman")
SANS = Family(registry.SANS, "swiss")
VENDORED = {family.name.lower(): family for family in (SERIF, SANS)}

# Code: not vendored (every Windows has Consolas); the font table marks it monospaced, with its PANOSE
# class, so a reader without it gets another fixed-pitch face.
MONO = "Consolas"
MONO_PANOSE = "020B0609020204030204"
MONOSPACED = ("mono", "consolas", "courier", "code")  # in a family's name: measured with a fixed advance


def vendored(name: str) -> Family | None:
    """The vendored family of that name (as Word compares them, without case), if any."""
    return VENDORED.get(name.lower())


def measured_as(name: str) -> Family | None:
    """The vendored family whose widths stand in for a family's: its own, else the sans for a name
    with "sans" in it and the serif for any other; None for a monospaced one (a fixed advance)."""
    key = name.lower()
    if key in VENDORED:
        return VENDORED[key]
    if any(m in key for m in MONOSPACED):
        return None
    return SANS if "sans" in key else SERIF

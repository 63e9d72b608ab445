"""The fonts the DOCX edition names, in one table: the vendored families and their files (for the
contents' page estimates and the reference document's font table), and the monospaced face of code.

DOCX files do not embed fonts: the styles name the families, and the font table describes each
(PANOSE class, generic family, pitch), which Word and LibreOffice use to choose the nearest installed
font where a reader lacks one.
"""

from __future__ import annotations

from dataclasses import dataclass

FACES = {(False, False): "Regular", (True, False): "Bold", (False, True): "It", (True, True): "BoldIt"}


@dataclass(frozen=True)
class Family:
    name: str
    generic: str  # the font table's w:family: roman (serif), swiss (sans), modern (monospaced)
    files: str  # its faces' files on the template search path: {} is Regular, Bold, It or BoldIt
    stand_ins: tuple[tuple[str, str], ...] = ()  # (face, the face whose file sets it): no file of its own

    def file(self, bold: bool, italic: bool) -> str:
        face = FACES[(bold, italic)]
        return self.files.format(dict(self.stand_ins).get(face, face))


SERIF = Family("Source Serif 4", "roman", "fonts/SourceSerif4-{}.otf")
SANS = Family("Source Sans 3", "swiss", "fonts/SourceSans3-{}.otf", (("BoldIt", "Bold"),))  # slanted bold
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

"""Extract the Simplified Chinese faces of Noto Serif CJK and Noto Sans CJK (SIL OFL 1.1) from the
collections Debian's `fonts-noto-cjk` installs, into templates/fonts/cjk/, for papers in Chinese.

The collections hold one font per region (JP, KR, SC, TC, HK) sharing glyphs; WeasyPrint needs a single
font file found on the template search path (it reads no machine fonts), so the SC one is written out
as a plain OpenType file. Tables are copied as they are (no timestamp recalculated): the same package
gives the same bytes, so the PDF of a Chinese paper is reproducible. `make fonts-cjk` runs this.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools.ttLib import TTCollection

DEBIAN = Path("/usr/share/fonts/opentype/noto")
# collection file -> the PostScript name of the face to take from it, and the file it is written to
FACES = {
    "NotoSerifCJK-Regular.ttc": "NotoSerifCJKsc-Regular",
    "NotoSerifCJK-Bold.ttc": "NotoSerifCJKsc-Bold",
    "NotoSansCJK-Regular.ttc": "NotoSansCJKsc-Regular",
    "NotoSansCJK-Bold.ttc": "NotoSansCJKsc-Bold",
}
LICENCE = Path("/usr/share/doc/fonts-noto-cjk/copyright")


def extract(source: Path, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for collection, name in FACES.items():
        target = out / f"{name}.otf"
        fonts = TTCollection(source / collection, lazy=True).fonts
        (font,) = [f for f in fonts if f["name"].getDebugName(6) == name]
        font.recalcTimestamp = False
        partial = target.with_suffix(".otf.tmp")
        font.save(partial, reorderTables=False)
        partial.replace(target)  # whole or not at all: a half-written font is worse than none
        written.append(target)
    if LICENCE.is_file():
        (out / "LICENSE-NotoCJK.txt").write_bytes(LICENCE.read_bytes())
    return written


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEBIAN
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("templates/fonts/cjk")
    for path in extract(source, out):
        print(f"{path}  {path.stat().st_size // 1024} KB")

"""The DOCX contents on paper: a DOCX laid out by LibreOffice (its PDF), each contents entry's shown
page against the page its heading lands on, both read from the PDF's text alone (pdftotext, page by
page): the contents pages' "title ..... N" lines, and each body page's printed number (its footer).
Nothing of the build's own pagination is used, so the audit checks it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from textcheck import pdf_text

SOFFICE = shutil.which("soffice")
# A leader and the page: arabic, or lower roman (the front matter's); not the next entry's "I.".
LEADER = re.compile(r"\s*\.{3,}\s*(\d+|[ivxlcdm]+)(?![\w.])")

# `macro:///Standard.Audit.Update(in, out)`: open hidden, update every index (Tools > Update >
# Update All does the same for them), save as DOCX.
UPDATE_MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Audit" script:language="StarBasic">
Sub Update(inUrl As String, outUrl As String)
  Dim load(0) As New com.sun.star.beans.PropertyValue
  load(0).Name = "Hidden"
  load(0).Value = True
  doc = StarDesktop.loadComponentFromURL(inUrl, "_blank", 0, load())
  indexes = doc.getDocumentIndexes()
  For i = 0 To indexes.getCount() - 1
    indexes.getByIndex(i).update()
  Next i
  Dim store(0) As New com.sun.star.beans.PropertyValue
  store(0).Name = "FilterName"
  store(0).Value = "MS Word 2007 XML"
  doc.storeToURL(outUrl, store())
  doc.close(True)
End Sub
</script:module>
"""
UPDATE_LIBRARY = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:library PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "library.dtd">
<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard" \
library:readonly="false" library:passwordprotected="false">
 <library:element library:name="Audit"/>
</library:library>
"""


@dataclass(frozen=True)
class Entry:
    title: str
    shown: str | None  # the number on the contents page, None if it shows none
    lands: str | None  # the printed number of the page the heading is on

    @property
    def right(self) -> bool:
        return self.shown is not None and self.shown == self.lands


def _flat(text: str) -> str:
    return " ".join(text.split())


def soffice(args: list[str], workdir: Path, timeout: int = 180) -> None:
    """LibreOffice headless with a profile of its own in `workdir`, and no fonts but the system's
    (the vendored ones are not installed: the document's embedded fonts are all it has)."""
    env = dict(os.environ)
    env.pop("FONTCONFIG_FILE", None)
    profile = (workdir / "lo-profile").as_uri()
    run = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def to_pdf(docx: Path, workdir: Path) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    soffice(["--convert-to", "pdf", "--outdir", str(workdir), str(docx)], workdir)
    pdf = workdir / (docx.stem + ".pdf")
    assert pdf.is_file()
    return pdf


def update_indexes(docx: Path, workdir: Path) -> Path:
    """The DOCX after LibreOffice updated its indexes and saved it (as DOCX), headless."""
    workdir.mkdir(parents=True, exist_ok=True)
    soffice(["--terminate_after_init"], workdir)  # the first start fills the profile (and its Basic)
    library = workdir / "lo-profile" / "user" / "basic" / "Standard"
    (library / "Audit.xba").write_text(UPDATE_MACRO, encoding="utf-8")
    (library / "script.xlb").write_text(UPDATE_LIBRARY, encoding="utf-8")
    out = workdir / ("updated-" + docx.name)
    soffice([f'macro:///Standard.Audit.Update("{docx.resolve().as_uri()}","{out.as_uri()}")'], workdir)
    assert out.is_file(), "LibreOffice's macro wrote nothing"
    return out


def audit(pdf: Path, titles: list[str]) -> list[Entry]:
    """For each contents entry (`titles`, in order, as the headings read): the page the contents
    shows and the printed page its heading lands on."""
    pages = [_flat(p) for p in pdf_text(pdf).split("\f")]
    # The contents: the first page with a leader, and those after it with leaders.
    first = next(i for i, p in enumerate(pages) if "....." in p)
    last = first
    while last + 1 < len(pages) and "....." in pages[last + 1]:
        last += 1
    contents = " ".join(pages[first : last + 1])
    shown, at = [], 0
    for title in titles:
        where = contents.find(_flat(title), at)
        if where < 0:
            shown.append(None)
            continue
        at = where + len(_flat(title))
        match = LEADER.match(contents, at)
        shown.append(match.group(1) if match else None)
        if match:
            at = match.end()
    # The body: each heading on the first page from the previous one's that has it; the page's
    # printed number is its last word (the footer).
    entries, page = [], last + 1
    for title, number in zip(titles, shown, strict=True):
        found = next((i for i in range(page, len(pages)) if _flat(title) in pages[i]), None)
        lands = None
        if found is not None:
            page = found
            lands = pages[found].split()[-1] if pages[found] else None
        entries.append(Entry(title, number, lands))
    return entries

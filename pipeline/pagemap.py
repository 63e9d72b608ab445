"""The PDF's pagination in the model's terms: the page on which each heading and each block starts.

The PDF edition reports it after layout (it alone knows where pages break); the build hands it to the
editions that cite the print pages (the EPUB's page-list and page-break markers), so that a page of
the PDF can be cited from them. No edition reads another: the map is plain data, keyed by a section's
id and the index of a block among the section's blocks (HEADING for the heading itself).

A build of the EPUB alone (`make` builds each edition in its own run, the PDF first) takes the map the
PDF's build left beside it in the build folder (FILE), and only if it describes the PDF that is there
now (its SHA-256) and the same paper (every key names a block of this model).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from .model import Document

FILE = ".pipeline-pages.json"  # beside the editions in the build folder, written with the PDF
HEADING = -1  # the block index that stands for a section's heading
# The block index that stands for "after the section's last block" (a number templates may hold: the
# sandbox bounds them).
END = 999_999

Key = tuple[str, int]  # (section id, block index or HEADING)


@dataclass(frozen=True)
class PageMap:
    starts: tuple[tuple[str, int, int], ...]  # (section id, block index, page number), in reading order
    pages: int  # the PDF's page count
    pdf: str = ""  # the PDF's file name, and the SHA-256 of its bytes
    sha256: str = ""

    def breaks(self) -> dict[Key, tuple[str, ...]]:
        """Where each page's marker goes: before the first heading or block that starts on that page or
        later (a page that starts inside a long paragraph, or a blank page, is marked at the next
        block), from the page of the first block on; pages after the last start go at the end, after
        the last section's blocks. {key: page labels}."""
        if not self.starts:
            return {}
        marks: dict[Key, list[str]] = {}
        first = self.starts[0][2]
        position = 0
        for page in range(first, self.pages + 1):
            while position < len(self.starts) and self.starts[position][2] < page:
                position += 1
            if position < len(self.starts):
                section, index, _ = self.starts[position]
                key = (section, index)
            else:
                key = (self.starts[-1][0], END)
            marks.setdefault(key, []).append(str(page))
        return {key: tuple(labels) for key, labels in marks.items()}

    def for_model(self, doc: Document) -> PageMap | None:
        """The map if every key names a heading or block of this model, in the model's reading order;
        None if not (another paper's map, or a template that reordered the blocks)."""
        order = {}
        for section in doc.sections():
            order[(section.id, HEADING)] = len(order)
            for index in range(len(section.blocks)):
                order[(section.id, index)] = len(order)
        sections = {section_id for section_id, _ in order}
        # Sections of the print edition's own (the cover, the imprint) are not the model's: left out.
        starts = tuple(s for s in self.starts if s[0] in sections)
        positions = [order.get((s, i)) for s, i, _ in starts]
        if not starts or None in positions or positions != sorted(positions):
            return None
        return PageMap(starts, self.pages, self.pdf, self.sha256)

    def to_json(self) -> bytes:
        data = {"pdf": self.pdf, "sha256": self.sha256, "pages": self.pages, "starts": [list(s) for s in self.starts]}
        return json.dumps(data, indent=0, sort_keys=True).encode() + b"\n"


def with_pdf(page_map: PageMap, filename: str, pdf: bytes) -> PageMap:
    return PageMap(page_map.starts, page_map.pages, filename, hashlib.sha256(pdf).hexdigest())


def read(out: Path, pdf_name: str) -> PageMap | None:
    """The map the last PDF build left in `out`, if it describes the PDF there now; None otherwise."""
    try:
        data = json.loads((out / FILE).read_text(encoding="utf-8"))
        pdf = out / pdf_name
        if pdf.is_symlink() or (out / FILE).is_symlink() or data.get("pdf") != pdf_name:
            return None
        if hashlib.sha256(pdf.read_bytes()).hexdigest() != data.get("sha256"):
            return None
        starts = tuple((str(s), int(i), int(p)) for s, i, p in data["starts"])
        return PageMap(starts, int(data["pages"]), pdf_name, data["sha256"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None

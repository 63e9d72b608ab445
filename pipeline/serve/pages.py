"""Page images of the PDF (and of the DOCX, laid out by LibreOffice) for the preview page, made with
pypdfium2 (PDFium: no system tool), kept in memory.

Every page is rendered and its pixels hashed; only the pages whose pixels changed since the last build
are encoded as PNG again (encoding is most of the cost), and those are marked as changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

SCALE = 1.0  # 72 dpi: an A4 page is 596 x 842 pixels, sharp enough to read beside the web page
LIBREOFFICE_SECONDS = 120


@dataclass(frozen=True)
class Page:
    digest: str  # of its pixels: the image's URL carries it, so the browser fetches only changed pages
    png: bytes
    changed: bool


@dataclass(frozen=True)
class PageImages:
    pages: tuple[Page, ...]

    @classmethod
    def of(cls, pdf: bytes, previous: PageImages | None) -> PageImages:
        import pypdfium2

        old = previous.pages if previous else ()
        pages = []
        document = pypdfium2.PdfDocument(pdf)
        try:
            for index in range(len(document)):
                bitmap = document[index].render(scale=SCALE)
                digest = hashlib.blake2b(bitmap.buffer, digest_size=12).hexdigest()
                if index < len(old) and old[index].digest == digest:
                    pages.append(Page(digest, old[index].png, changed=False))
                    continue
                buffer = io.BytesIO()
                bitmap.to_pil().save(buffer, "PNG", compress_level=1)
                # The first build marks nothing: every page is new, none changed.
                pages.append(Page(digest, buffer.getvalue(), changed=previous is not None))
        finally:
            document.close()
        return cls(tuple(pages))

    def as_json(self) -> list[dict]:
        return [{"digest": p.digest, "changed": p.changed} for p in self.pages]


def libreoffice() -> str | None:
    """The LibreOffice program: $PIPELINE_SERVE_LIBREOFFICE if set (empty: none), else soffice on PATH."""
    chosen = os.environ.get("PIPELINE_SERVE_LIBREOFFICE")
    if chosen is not None:
        return shutil.which(chosen) if chosen else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_pages(docx: bytes, previous: PageImages | None, stopping: threading.Event) -> tuple[PageImages | None, str]:
    """The DOCX's pages as LibreOffice lays them out, and a line that says why there are none if so."""
    program = libreoffice()
    if program is None:
        return None, "The DOCX pages show when LibreOffice is installed (soffice was not found on PATH)."
    # LibreOffice needs files: a temporary folder (its profile too, so a running LibreOffice is not
    # disturbed), removed when done, also when the server is stopped meanwhile.
    with tempfile.TemporaryDirectory(prefix="pipeline-serve-") as tmp:
        folder = Path(tmp)
        (folder / "in.docx").write_bytes(docx)
        command = [
            program,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(folder / "in.docx"),
        ]
        # Its own process group: soffice starts soffice.bin, and both must go if the server stops.
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        try:
            for _ in range(LIBREOFFICE_SECONDS * 10):
                if stopping.is_set() or process.poll() is not None:
                    break
                stopping.wait(0.1)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # also what it left running
            process.wait()
        pdf = folder / "in.pdf"
        if stopping.is_set():
            return None, ""
        if not pdf.is_file():
            return None, f"LibreOffice ({program}) did not lay out the DOCX (exit code {process.returncode})."
        return PageImages.of(pdf.read_bytes(), previous), "The DOCX as LibreOffice lays it out."

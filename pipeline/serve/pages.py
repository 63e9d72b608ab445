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
DIGEST_SCALE = 0.3  # pages are compared at this size: a tenth of the pixels, still every changed line
LIBREOFFICE_SECONDS = 120
PDFIUM = threading.Lock()  # PDFium is not thread-safe: the builder and the server's requests take turns


@dataclass(frozen=True)
class Page:
    digest: str  # of its pixels: the image's URL carries it, so the browser fetches only changed pages
    changed: bool


class PageImages:
    """A PDF's pages: each compared with the last build's (its pixels at a small size, hashed), and
    drawn as PNG only when the browser asks for it (encoding is most of the cost; the page loads the
    images lazily, so a 350-page book draws only what is on screen)."""

    def __init__(self, pdf: bytes, pages: tuple[Page, ...], cache: dict[str, bytes]) -> None:
        self.pdf = pdf
        self.pages = pages
        self.cache = cache  # digest -> PNG, kept across builds for the pages that did not change

    @classmethod
    def of(cls, pdf: bytes, previous: PageImages | None) -> PageImages:
        import pypdfium2

        old = previous.pages if previous else ()
        pages = []
        with PDFIUM:
            document = pypdfium2.PdfDocument(pdf)
            try:
                for index in range(len(document)):
                    bitmap = document[index].render(scale=DIGEST_SCALE)
                    digest = hashlib.blake2b(bitmap.buffer, digest_size=12).hexdigest()
                    # The first build marks nothing: every page is new, none changed.
                    changed = previous is not None and not (index < len(old) and old[index].digest == digest)
                    pages.append(Page(digest, changed))
            finally:
                document.close()
        kept = {p.digest for p in pages}
        cache = {d: png for d, png in (previous.cache.items() if previous else ()) if d in kept}
        return cls(pdf, tuple(pages), cache)

    def png(self, index: int) -> bytes:
        digest = self.pages[index].digest
        if digest not in self.cache:
            import pypdfium2

            with PDFIUM:
                document = pypdfium2.PdfDocument(self.pdf)
                try:
                    image = document[index].render(scale=SCALE).to_pil()
                finally:
                    document.close()
            buffer = io.BytesIO()
            image.save(buffer, "PNG", compress_level=1)
            self.cache[digest] = buffer.getvalue()
        return self.cache[digest]

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

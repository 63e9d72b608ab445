"""Search across every paper: Pagefind (CloudCannon's static search, the `pagefind[bin]` package ships
its binary) indexes each paper's reading page; the home page loads its UI. No server: the index is
files beside the pages."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from ..errors import Diagnostic, SourceError

FOLDER = "pagefind"
# What of a paper's page is not its text: the heading and paragraph links (#, ¶ and their labels),
# the contents, the citation box, the page's own search, the downloads.
NOT_TEXT = ".anchor, .permalink, .sidebar, .toc-box, .cite-box, .search, .search-form, .downloads, .skip-link"


PAGES = f"{FOLDER}/.catalogue-pages"  # the paper folders indexed, one a line


def current(out: Path, slugs: list[str]) -> bool:
    """Whether the index in `out` is of these papers' pages (and none rebuilt since: the caller's)."""
    try:
        return (out / PAGES).read_text(encoding="utf-8").splitlines() == slugs
    except OSError:
        return False


def index(out: Path, slugs: list[str], language: str) -> dict[str, bytes]:
    """The search bundle's files ({path under out: bytes}) for the listed papers' pages under `out`
    (`<slug>/index.html`: not the home page, whose list would match every word, nor the folder of a
    paper no longer in the catalogue). One index in the
    site's language (`--force-language`): otherwise Pagefind keeps one per language and a home page
    searches only its own."""
    with tempfile.TemporaryDirectory(prefix="pipeline-pagefind-") as tmp:
        bundle = Path(tmp) / FOLDER
        command = [
            sys.executable, "-m", "pagefind_bin", "--site", str(out), "--output-path", str(bundle),
            "--glob", _glob(slugs), "--force-language", language, "--exclude-selectors", NOT_TEXT, "--keep-index-url", "--silent",
        ]  # fmt: skip
        try:
            proc = subprocess.run(command, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SourceError([Diagnostic(str(out), 1, f"search index: Pagefind did not run: {exc}")]) from None
        if proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no message"]
            hint = " (pip install 'pagefind[bin]')" if "No module named" in detail[0] else ""
            raise SourceError([Diagnostic(str(out), 1, f"search index: Pagefind failed: {detail[0]}{hint}")])
        files = {
            f"{FOLDER}/{p.relative_to(bundle).as_posix()}": p.read_bytes()
            for p in sorted(bundle.rglob("*"))
            if p.is_file()
        }
        return {**files, PAGES: "".join(f"{slug}\n" for slug in slugs).encode()}


def _glob(slugs: list[str]) -> str:
    escaped = [re.sub(r"([\\*?\[\]{},])", r"\\\1", slug) for slug in slugs]
    return f"{escaped[0]}/index.html" if len(escaped) == 1 else "{" + ",".join(escaped) + "}/index.html"

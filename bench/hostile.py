"""How long `check` takes on hostile sources (issue #14): each should stay near-linear.

`python bench/hostile.py` prints one line per case: its size, the seconds `read_source` took, and
whether it ended in a model or in messages. The speed goals live here, not in the tests (which count
work instead).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.errors import SourceError  # noqa: E402
from pipeline.reader import read_source  # noqa: E402

BASE = ROOT / "tests" / "corpus" / "_base"
HEAD = "# First chapter\n\nOpening.\n\n"


def laughs(levels: int = 9) -> str:
    lines = ["theme:", "  cover_text: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"  k{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


CASES = {
    "billion laughs (9 levels)": {"yaml": laughs()},
    "YAML 10,000 deep": {"yaml": "keywords: " + "[" * 10_000 + "]" * 10_000 + "\n"},
    "2,000 broken links, 2,000 ids": {
        "md": "".join(f"[l](#missing-{i})\n\n" for i in range(2000))
        + "".join(f"## Head {i}\n\nt\n\n" for i in range(2000))
    },
    "40,000 '[^' in a paragraph": {"md": "text " + "[^" * 40_000 + "\n\n[^1]: A note.\n"},
    "20,000 backticks": {"md": "text " + "`" * 20_000 + "\n"},
    "10,000 sections, one title": {"md": "intro\n\n" + "## Same\n\ntext\n\n" * 10_000},
    "quotes 3,000 deep": {"md": "> " * 3000 + "deep\n"},
    "emphasis 5,000 deep": {"md": "*a " * 5000 + "x" + " a*" * 5000 + "\n"},
}


def main() -> None:
    for name, case in CASES.items():
        folder = Path(tempfile.mkdtemp(prefix="hostile-"))
        try:
            source = folder / "source"
            shutil.copytree(BASE, source)
            if "yaml" in case:
                (source / "paper.yaml").write_text((BASE / "paper.yaml").read_text() + case["yaml"])
            if "md" in case:
                (source / "chapters" / "01-first.md").write_text(HEAD + case["md"])
            size = sum(p.stat().st_size for p in source.rglob("*") if p.is_file())
            start = time.perf_counter()
            try:
                read_source(source)
                outcome = "ok"
            except SourceError as exc:
                outcome = f"{len(exc.diagnostics)} messages"
            print(f"{name:34} {size / 1024:8.0f} KB {time.perf_counter() - start:7.2f} s  {outcome}")
        finally:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()

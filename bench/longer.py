"""A paper in the bundled paper's style, N times its length: its chapters repeated, renumbered.

Used by the benchmark (10x) to see how build time grows; the text is the bundled text, so the
typography and glyphs are the same.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

CHAPTER_RE = re.compile(r"^(\d+)、\s*(.*)$")


def longer(text: str, times: int) -> str:
    lines = text.splitlines()
    body_start = next(i for i, line in enumerate(lines) if line.strip() == "preface" and i > 40)
    conclusion = max(i for i, line in enumerate(lines) if line.strip() == "Conclusion")
    head = [line for line in lines[:body_start] if not CHAPTER_RE.match(line.strip()) and not line.startswith("(")]
    head = head[: next(i for i, line in enumerate(head) if line.strip() == "catalogue")]  # no catalogue
    chapters = lines[body_start:conclusion]
    out = list(head)
    number = 0
    for round_ in range(times):
        for line in chapters:
            if m := CHAPTER_RE.match(line.strip()):
                number += 1
                line = f"{number}、 {m.group(2)} ({round_ + 1})"
            elif line.strip() == "preface" and round_:
                continue
            out.append(line)
    out += lines[conclusion:]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    source, times, target = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    Path(target).write_text(longer(Path(source).read_text(encoding="utf-8"), times), encoding="utf-8")

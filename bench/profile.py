"""Profile one edition's render with pyinstrument: `python bench/profile.py [pdf|epub|docx|html] [source]`.

Imports are timed separately (cold), then the render is profiled in this process (no fork) and the
call tree is printed and saved as bench/out/profile-<edition>.html.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    edition = sys.argv[1] if len(sys.argv) > 1 else "pdf"
    source = sys.argv[2] if len(sys.argv) > 2 else str(ROOT / "source")
    start = time.perf_counter()
    from pipeline import build

    imported = time.perf_counter() - start
    from pyinstrument import Profiler

    doc, tmpl, theme = build.prepare(source)
    profiler = Profiler(interval=0.002)
    profiler.start()
    build._render(edition, doc, build.Context(tmpl, theme=theme), None)
    profiler.stop()
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"profile-{edition}.html").write_text(profiler.output_html())
    print(f"import pipeline.build: {imported:.2f} s")
    print(profiler.output_text(unicode=True, show_all="--all" in sys.argv))


if __name__ == "__main__":
    main()

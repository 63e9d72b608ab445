#!/usr/bin/env python3
"""Are the editions byte-identical to those of another commit? For a refactoring that must not change
what a reader gets.

    .venv/bin/python scripts/same_editions.py [REV]     (REV: default HEAD)

Builds every edition, with the code and built-in templates of REV (checked out into a temporary git
worktree) and with those of this working tree, from the same sources:

- paper:  source/ (this paper);
- rich:   the rich sample of tests/conftest.py (notes, figure, table, lists, quote, code, links);
- civic:  source/ with the designer theme examples/themes/civic;
- rich-civic: the rich sample with the civic theme.

Then compares every file of the two build folders byte for byte and prints one line per case. Exit 0
when all are identical, 1 otherwise (the differing files are listed).
"""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cases(work: Path) -> dict[str, tuple[Path, Path | None]]:
    sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]
    from conftest import write_rich_source  # the same sample the edition tests use

    rich = write_rich_source(work / "rich-src")
    civic = ROOT / "examples" / "themes" / "civic"
    return {
        "paper": (ROOT / "source", None),
        "rich": (rich, None),
        "civic": (ROOT / "source", civic),
        "rich-civic": (rich, civic),
    }


def build(code: Path, source: Path, templates: Path | None, out: Path) -> None:
    command = [sys.executable, "-m", "pipeline", "build", "--source", str(source), "--out", str(out)]
    if templates is not None:
        command += ["--templates", str(templates)]
    env = {**os.environ, "PYTHONPATH": str(code)}
    env.pop("SOURCE_DATE_EPOCH", None)
    done = subprocess.run(command, cwd=code, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"same_editions: the build with {code} failed ({done.returncode}):\n{done.stderr}")


def files(folder: Path) -> set[str]:
    return {
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".pipeline")  # the build folder's own manifest and lock
    }


def main() -> int:
    rev = sys.argv[1] if len(sys.argv) > 1 else "HEAD"
    with tempfile.TemporaryDirectory(prefix="same-editions-") as tmp:
        work = Path(tmp)
        base = work / "base"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(base), rev], check=True)
        try:
            different = 0
            for name, (source, templates) in cases(work).items():
                old, new = work / f"{name}-old", work / f"{name}-new"
                build(base, source, templates, old)
                build(ROOT, source, templates, new)
                before, after = files(old), files(new)
                changed = sorted(f for f in before & after if not filecmp.cmp(old / f, new / f, shallow=False))
                problems = [*(f"{f}: differs" for f in changed)]
                problems += [f"{f}: only in {rev}" for f in sorted(before - after)]
                problems += [f"{f}: only in the working tree" for f in sorted(after - before)]
                size = sum((new / f).stat().st_size for f in after)
                verdict = "identical" if not problems else f"{len(problems)} DIFFER"
                print(f"{name:11} {len(after):3} files {size:>10,} bytes  {verdict}")
                for line in problems:
                    print(f"    {line}")
                different += bool(problems)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], check=False)
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())

"""`make bench`, part two: the live preview's latencies (issue 18), at 1x and 10x the paper's length.

Runs `pipeline serve` on a copy of the source and a templates folder with the two stylesheets, opens
the preview page in Debian's Chromium (Playwright) and times, from the file write to the browser seeing
it (polled every animation frame, both on this machine's clock):

- a chapter edit: a new word in a paragraph of the web edition's DOM (goal: 0.3 s at 1x, 1 s at 10x);
- a CSS edit: html/style.css, until the computed style of the first heading changes (same goals);
- a print.css edit: until a PDF page image on the page is the new one (goal: that build's PDF time,
  as the status line shows it, plus 0.5 s).

Median of BENCH_REPEAT (default 3) edits each, the server idle before each. LibreOffice's DOCX pages
are switched off (PIPELINE_SERVE_LIBREOFFICE=""): they are no goal, and would take the CPU the PDF
needs. BENCH_PAPER names the plain-text paper the 10x source is made from.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (bench/run.py: the 10x source)

ROOT = run.ROOT
OUT = run.OUT
REPEAT = run.REPEAT
CHROMIUM = "/usr/bin/chromium"
GOALS = {1: 0.3, 10: 1.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def state(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(f"{url}/__preview/state", timeout=5) as response:
            return json.loads(response.read())
    except OSError:
        return None


def wait_idle(url: str, seconds: float = 600) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        s = state(url)
        if s and s["pdf"] and s["epub"] and not s["building"] and {"html", "pdf", "epub", "docx"} <= set(s["editions"]):
            return s
        time.sleep(0.1)
    raise TimeoutError("the server did not finish building")


def measure(times: int, source: Path) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    work = OUT / f"serve-{times}x"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(source, work / "source")
    for name in ("html/style.css", "pdf/print.css"):
        (work / "templates" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "templates" / name, work / "templates" / name)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PIPELINE_SERVE_LIBREOFFICE": ""}
    command = [sys.executable, "-m", "pipeline", "serve", "-q", "--port", str(port)]
    command += ["--source", str(work / "source"), "--templates", str(work / "templates"), "--out", str(work / "build")]
    server = subprocess.Popen(command, env=env)
    got: dict[str, list[float]] = {"chapter": [], "css": [], "pdf": [], "pdf build": []}
    try:
        wait_idle(url)
        chapter = sorted((work / "source" / "chapters").glob("*.md"))[1]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(url + "/")
            page.wait_for_function("window.__preview && window.__preview.state && window.__preview.state.pdf")
            for n in range(REPEAT):
                # A chapter edit: a new word at the start of the chapter's first paragraph.
                word = f"Benchword{n}x{time.time_ns()}"
                text = chapter.read_text(encoding="utf-8")
                lines = text.split("\n")
                first = next(i for i, line in enumerate(lines) if line and not line.startswith("#"))
                lines[first] = f"{word} {lines[first]}"
                start = time.time()
                chapter.write_text("\n".join(lines), encoding="utf-8")
                seen = page.wait_for_function(
                    "word => { const d = document.getElementById('web').contentDocument;"
                    " return d && d.body && d.body.textContent.includes(word) ? Date.now() : false; }",
                    arg=word,
                    polling="raf",
                    timeout=120_000,
                ).json_value()
                got["chapter"].append(seen / 1000 - start)
                chapter.write_text(text, encoding="utf-8")
                wait_idle(url)

                # A CSS edit: the first heading's letter spacing.
                css = work / "templates" / "html/style.css"
                spacing = f"{n % 5 + 1}.5px"
                start = time.time()
                css.write_text(
                    (ROOT / "templates/html/style.css").read_text(encoding="utf-8")
                    + f"\nh1 {{ letter-spacing: {spacing}; }}\n",
                    encoding="utf-8",
                )
                seen = page.wait_for_function(
                    "spacing => { const d = document.getElementById('web').contentDocument;"
                    " const h = d && d.querySelector('h1');"
                    " return h && getComputedStyle(h).letterSpacing === spacing ? Date.now() : false; }",
                    arg=spacing,
                    polling="raf",
                    timeout=120_000,
                ).json_value()
                got["css"].append(seen / 1000 - start)
                wait_idle(url)

                # A print.css edit: the pages' background, until a page image on the page is new.
                srcs = "[...document.querySelectorAll('#pdf-pane figure img')].map(i => i.getAttribute('src')).join()"
                before = page.evaluate(srcs)
                print_css = work / "templates" / "pdf/print.css"
                start = time.time()
                print_css.write_text(
                    (ROOT / "templates/pdf/print.css").read_text(encoding="utf-8")
                    + f"\n@page {{ background: #ffff{n % 9 + 1}0; }}\n",
                    encoding="utf-8",
                )
                seen = page.wait_for_function(
                    f"before => {srcs} !== before ? Date.now() : false",
                    arg=before,
                    polling="raf",
                    timeout=600_000,
                ).json_value()
                got["pdf"].append(seen / 1000 - start)
                got["pdf build"].append(wait_idle(url)["editions"]["pdf"]["seconds"])
            browser.close()
    finally:
        server.send_signal(2)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
    return got


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    run.PAPER = Path(os.environ.get("BENCH_PAPER", run.PAPER))
    sizes = (1, 10) if run.PAPER.is_file() else (1,)
    lines = [
        f"Live preview (`pipeline serve`), median of {REPEAT} edits, file write to the browser seeing it:",
        "",
        "| edit | length | latency (s) | goal (s) | |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    for times in sizes:
        got = measure(times, run.prepare(times))
        median = {name: statistics.median(values) for name, values in got.items()}
        pdf_goal = median["pdf build"] + 0.5
        for name, label, goal in (
            ("chapter", "chapter edit -> web DOM", GOALS[times]),
            ("css", "CSS edit -> computed style", GOALS[times]),
            ("pdf", "print.css edit -> PDF page image", pdf_goal),
        ):
            met = "met" if median[name] <= goal else "NOT met"
            lines.append(f"| {label} | {times}x | {median[name]:.3f} | {goal:.2f} | {met} |")
        print(
            f"  serve {times}x: {json.dumps({k: [round(v, 3) for v in vs] for k, vs in got.items()})}", file=sys.stderr
        )
    if len(sizes) == 1:
        lines.append(f"\n(no 10x: {run.PAPER} is missing; set BENCH_PAPER)")
    report = "\n".join(lines) + "\n"
    (OUT / "serve.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()

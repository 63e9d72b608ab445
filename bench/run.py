"""`make bench`: our build against pandoc on the same text, at 1x and 10x the paper's length.

Every measurement is a cold process (imports included), the median of REPEAT runs, with the peak
resident memory of the process and its children together (sampled with psutil: the PDF is laid out
in parts by a process per core). The sides of a comparison take turns, run by run, so a
machine whose speed drifts weighs on both alike. Pandoc (PyPI pypandoc-binary) builds the same four
editions from the same Markdown chapters, its PDF through --pdf-engine=weasyprint, its four jobs two
at a time (this machine has two cores). Our PDF step is also compared with bare WeasyPrint
rendering our own print HTML, to show what the pipeline adds around the layout engine.

Prints a Markdown table and writes it to bench/out/results.md.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PAPER = ROOT.parent / "shared" / "paper" / "white-paper.txt"
PY = sys.executable
BIN = Path(PY).parent
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
FORMATS = ("html", "pdf", "epub", "docx")


def measure(cmds: list[list[str]], parallel: int = 1, env=None) -> tuple[float, int]:
    """Seconds and peak RSS (MB) of running the commands, `parallel` at a time, as one job."""

    def one(cmd):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT)
        peak = [0]
        sampler = threading.Thread(target=_sample_tree, args=(proc.pid, peak), daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        sampler.join()
        err = proc.stderr.read().decode()
        proc.stderr.close()
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"failed: {' '.join(cmd)}\n{err}")
        return elapsed, max(peak[0], usage.ru_maxrss * 1024) // (1024 * 1024)

    start = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        results = list(pool.map(one, cmds))
    return time.perf_counter() - start, max(rss for _, rss in results)


def _sample_tree(pid: int, peak: list[int]) -> None:
    """The largest sum of resident memory of the process and its descendants, every 20 ms until it ends."""
    import psutil

    try:
        root = psutil.Process(pid)
        while root.status() != psutil.STATUS_ZOMBIE:
            total = 0
            for proc in [root, *root.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
            peak[0] = max(peak[0], total)
            time.sleep(0.02)
    except psutil.Error:
        return


def rounds(jobs: dict[str, tuple[list[list[str]], int]], env=None) -> dict[str, tuple[float, int]]:
    """Median seconds and peak MB of each job, {name: (commands, run at a time)}. The jobs take turns,
    one run each per round, REPEAT rounds: a machine that slows down or speeds up over the minutes
    of a run then weighs on both sides of a comparison alike."""
    runs: dict[str, list[tuple[float, int]]] = {name: [] for name in jobs}
    for _ in range(REPEAT):
        for name, (cmds, parallel) in jobs.items():
            runs[name].append(measure(cmds, parallel, env))
    return {name: (statistics.median(t for t, _ in r), max(m for _, m in r)) for name, r in runs.items()}


def prepare(times: int) -> Path:
    """A source folder of the paper at `times` its length (1: the committed source)."""
    if times == 1:
        return ROOT / "source"
    sys.path.insert(0, str(ROOT / "bench"))
    from longer import longer

    text = OUT / f"paper-{times}x.txt"
    text.write_text(longer(PAPER.read_text(encoding="utf-8"), times), encoding="utf-8")
    source = OUT / f"source-{times}x"
    shutil.rmtree(source, ignore_errors=True)
    subprocess.run([PY, "-m", "pipeline", "import", str(text), "--out", str(source)], check=True, cwd=ROOT)
    return source


def pandoc_inputs(source: Path) -> tuple[list[str], list[str]]:
    """The chapter files in order and pandoc's metadata arguments, from paper.yaml."""
    import yaml

    meta = yaml.safe_load((source / "paper.yaml").read_text())
    files = [str(source / (c if isinstance(c, str) else c["file"])) for c in meta["contents"]]
    args = ["--standalone", "--toc", "--metadata", f"title={meta['title']}", "--metadata", f"lang={meta['language']}"]
    return files, args


def pandoc_cmds(source: Path, out: Path) -> dict[str, list[str]]:
    import pypandoc

    pandoc = pypandoc.get_pandoc_path()
    files, args = pandoc_inputs(source)
    return {
        fmt: [pandoc, *files, *args, "-o", str(out / f"pandoc.{fmt}")]
        + (["--pdf-engine=weasyprint"] if fmt == "pdf" else [])
        for fmt in FORMATS
    }


def print_html(source: Path, out: Path) -> Path:
    """Our print HTML for this source (the PDF edition's own, theme resolved as in a build)."""
    code = (
        "import sys; from pathlib import Path; from pipeline.build import prepare; "
        "from pipeline.render import Context; from pipeline.render.pdf.book import print_html; "
        "doc, tmpl, theme = prepare(sys.argv[1]); "
        "Path(sys.argv[2]).write_text(print_html(doc, Context(tmpl, theme=theme)), encoding='utf-8')"
    )
    target = out / "print.html"
    subprocess.run([PY, "-c", code, str(source), str(target)], check=True, cwd=ROOT)
    return target


# Bare WeasyPrint on our print HTML, with the options that shape the file as ours does: the same base
# URL (print.css and the fonts beside it), PDF/UA-1 and tags. Not included, as they are what the
# pipeline adds: reading the source and the templates, the glyph check, keeping a page-ending word
# whole (render/pdf/pages.py), the table-header finisher and the confined URL fetcher. Ours may use the
# second core for them (build.py); bare WeasyPrint runs in one process.
BARE = (
    "import sys, weasyprint; "
    "weasyprint.HTML(filename=sys.argv[1], base_url=sys.argv[2])"
    ".write_pdf(sys.argv[3], pdf_variant='pdf/ua-1', pdf_tags=True)"
)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}  # pandoc finds our weasyprint
    rows = []
    seconds: dict[tuple[str, int], float] = {}
    for times in (1, 10):
        source = prepare(times)
        build = OUT / f"build-{times}x"
        pandoc_out = OUT / f"pandoc-{times}x"
        pandoc_out.mkdir(exist_ok=True)
        ours = {
            fmt: [PY, "-m", "pipeline", "build", "--source", str(source), "--out", str(build), "-q", "--formats", fmt]
            for fmt in FORMATS
        }
        theirs = pandoc_cmds(source, pandoc_out)
        html = print_html(source, OUT)
        bare = [PY, "-c", BARE, str(html), str(ROOT / "templates" / "pdf") + "/", str(OUT / "bare.pdf")]
        for fmt in FORMATS:
            jobs = {"ours": ([ours[fmt]], 1), "pandoc": ([theirs[fmt]], 1)}
            if fmt == "pdf":
                jobs["bare"] = ([bare], 1)
            got = rounds(jobs, env=env)
            rows.append((f"{fmt} {times}x", *got["ours"], "pandoc", *got["pandoc"]))
            if fmt == "pdf":
                step = (f"pdf step {times}x", *got["ours"], "bare WeasyPrint, same HTML", *got["bare"])
            print(
                f"  {fmt} {times}x: ours {got['ours'][0]:.2f} s, pandoc {got['pandoc'][0]:.2f} s",
                file=sys.stderr,
                flush=True,
            )
        all_ours = [PY, "-m", "pipeline", "build", "--source", str(source), "--out", str(build), "-q"]
        got = rounds({"ours": ([all_ours], 1), "pandoc": (list(theirs.values()), 2)}, env=env)
        rows.append((f"all four {times}x", *got["ours"], "pandoc, 2 at a time", *got["pandoc"]))
        rows.append(step)
        seconds[("all", times)] = got["ours"][0]
        # A first build: without the findings the last build left (render/pdf/parallel.py), the PDF's
        # parts are laid out once to find where they fall, then again to be written.
        findings = build / ".pipeline-parts.json"
        first = ["sh", "-c", f'rm -f "{findings}" && exec "$0" "$@"', *ours["pdf"]]
        got = rounds({"ours": ([first], 1)}, env=env)
        rows.append((f"pdf step {times}x, first build", *got["ours"], "bare WeasyPrint (as above)", *step[4:6]))
    # Nothing changed: make's own check, the editions already built.
    subprocess.run(["make", "-s", "all"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    noop = rounds({"make all": ([["make", "-s", "all"]], 1)})["make all"]

    lines = [
        f"Median of {REPEAT} cold runs on {os.cpu_count()} cores; memory is the peak RSS of one process.",
        "",
        "| job | ours (s) | ours peak MB | against | theirs (s) | theirs peak MB | ours / theirs |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: |",
    ]
    for job, t_o, m_o, against, t_t, m_t in rows:
        lines.append(f"| {job} | {t_o:.2f} | {m_o} | {against} | {t_t:.2f} | {m_t} | {t_o / t_t:.2f} |")
    growth = seconds[("all", 10)] / seconds[("all", 1)]
    lines += ["", f"All four editions, 10x / 1x time: {growth:.1f} (linear would be at most 10).", ""]
    lines += [f"No-op `make all` (nothing changed): {noop[0]:.3f} s.", ""]
    lines += goals(rows, growth, noop[0])
    report = "\n".join(lines) + "\n"
    (OUT / "results.md").write_text(report)
    print(report)


def goals(rows, growth: float, noop: float) -> list[str]:
    """The issue's goals, each with the numbers of this run and whether it is met."""
    ratio = {job: t_o / t_t for job, t_o, _, _, t_t, _ in rows}
    peak_10x = max(m_o for job, _, m_o, _, _, _ in rows if job.endswith("10x"))

    def line(name: str, values: str, met: bool) -> str:
        return f"- {name}: {values}: {'met' if met else 'NOT met'}"

    all_four = (ratio["all four 1x"], ratio["all four 10x"])
    step = (ratio["pdf step 1x"], ratio["pdf step 10x"])
    return [
        "Goals:",
        line("all four <= 0.8x pandoc", f"{all_four[0]:.2f}x at 1x, {all_four[1]:.2f}x at 10x", max(all_four) <= 0.8),
        line("PDF step <= 0.6x bare WeasyPrint at 10x", f"{step[1]:.2f}x (1x: {step[0]:.2f}x)", step[1] <= 0.6),
        line("time grows no worse than linearly", f"{growth:.1f}x for 10x the text", growth <= 10),
        line("peak memory at 10x (all processes) at most 1 GB", f"{peak_10x} MB", peak_10x <= 1024),
        line("no-op make all under 0.1 s", f"{noop:.3f} s", noop < 0.1),
    ]


if __name__ == "__main__":
    main()

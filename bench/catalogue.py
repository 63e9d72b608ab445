"""The catalogue's benchmark (issue 19): 20 papers made from the bundled one (its source copied, each
with its own title, slug and identifier), built by `pipeline catalogue` on one core, on all the cores
this process may use, and through a Dask LocalCluster; then a no-op rebuild. Prints papers per minute,
the speed-up over one core, and the peak RSS of the largest process (the CLI and its pool workers; a
Dask worker's own memory is sampled with psutil).

    python bench/catalogue.py [PAPERS]      # default 20
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source"


def make_papers(folder: Path, count: int) -> Path:
    papers = folder / "papers"
    for n in range(1, count + 1):
        target = papers / f"paper-{n:02d}"
        shutil.copytree(SOURCE, target)
        yaml_path = target / "paper.yaml"
        text = yaml_path.read_text(encoding="utf-8")
        text = re.sub(r"(?m)^title: (.*)$", rf"title: \1 ({n})", text, count=1)
        text = re.sub(r"(?m)^slug: .*$", f"slug: paper-{n:02d}", text, count=1)
        text = re.sub(r"(?m)^identifier: .*$", f"identifier: urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, str(n))}", text)
        yaml_path.write_text(text, encoding="utf-8")
    (papers / "catalogue.yaml").write_text("title: Bench Papers\nbase_url: https://bench.example.org/\n")
    return papers


def run(cmd: list[str], one_core: bool = False) -> tuple[float, int, str]:
    """Seconds, peak RSS (MB) of the process and its children, and stderr."""
    first = min(os.sched_getaffinity(0))
    preexec = (lambda: os.sched_setaffinity(0, {first})) if one_core else None
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, preexec_fn=preexec, env=env, cwd=ROOT)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if proc.returncode not in (0,):
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    return seconds, usage.ru_maxrss // 1024, err


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    cores = len(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory(prefix="bench-catalogue-") as tmp:
        papers = make_papers(Path(tmp), count)
        base = [sys.executable, "-m", "pipeline", "catalogue", "--papers", str(papers), "-q"]
        rows = []
        s1, m1, _ = run([*base, "--out", f"{tmp}/one"], one_core=True)
        rows.append(("one core", 1, s1, m1))
        sn, mn, _ = run([*base, "--out", f"{tmp}/all"])
        rows.append((f"all cores ({cores})", cores, sn, mn))
        noop, mnoop, _ = run([*base, "--out", f"{tmp}/all"])
        try:
            from distributed import LocalCluster
        except ImportError:
            LocalCluster = None
        if LocalCluster is not None:
            with LocalCluster(n_workers=cores, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
                peak = _sample_workers(cluster)
                address = cluster.scheduler_address.removeprefix("tcp://")
                sd, md, _ = run([*base, "--out", f"{tmp}/dask", "--executor", f"dask://{address}"])
                peak.stop()
            rows.append((f"Dask LocalCluster ({cores} workers)", cores, sd, max(md, peak.mb)))
        print(f"\nCatalogue of {count} papers (the bundled paper, copied), cold processes, {cores} usable cores\n")
        print("| run | seconds | papers / minute | × one core | peak MB (largest process) |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for name, _, seconds, mb in rows:
            print(f"| {name} | {seconds:.1f} | {count / seconds * 60:.1f} | {s1 / seconds:.2f} | {mb} |")
        print(f"| no-op rebuild | {noop:.2f} | – | – | {mnoop} |")
        speedup = s1 / sn
        print()
        print(
            f"- {'met' if speedup >= 1.8 or cores < 2 else 'NOT met'}: at least 1.8× one core's rate on two cores "
            f"({speedup:.2f}×)"
        )
        print(f"- {'met' if noop < 1 else 'NOT met'}: a no-op rebuild under 1 s ({noop:.2f} s, process start included)")


class _sample_workers:
    """The largest RSS of any Dask worker process, sampled every 0.2 s (they are not our children)."""

    def __init__(self, cluster) -> None:
        import psutil

        self.procs = [psutil.Process(p.pid) for p in _worker_processes(cluster)]
        self.mb = 0
        self.running = True
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while self.running:
            for p in self.procs:
                try:
                    tree = [p, *p.children(recursive=True)]
                    self.mb = max(self.mb, *(q.memory_info().rss // (1024 * 1024) for q in tree))
                except Exception:  # noqa: BLE001 - a process gone meanwhile
                    pass
            time.sleep(0.2)

    def stop(self) -> None:
        self.running = False
        self.thread.join()


def _worker_processes(cluster):
    for worker in cluster.workers.values():
        process = getattr(getattr(worker, "process", None), "process", None)
        if process is not None and getattr(process, "pid", None):
            yield process


if __name__ == "__main__":
    main()

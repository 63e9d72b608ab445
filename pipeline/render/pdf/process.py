"""The PDF's own process: started first, it imports WeasyPrint while the build reads the source, then
lays out the one print job it is sent while the build renders the other editions.

A process and a pipe rather than a pool: if the child dies (killed, out of memory, a crash in a C
library), the build hears of it at once from the process's sentinel and fails with a message, where a
pool would wait forever for a result that is never coming.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import tempfile
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .. import Output

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class PdfProcess:
    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")  # the child starts with this process's imports
        self.conn, child_end = context.Pipe()
        # The child's temporary files (WeasyPrint writes each @font-face font to a folder it removes
        # in a finalizer, which a process that ends with os._exit or a signal never runs) go into a
        # folder of this process's, removed by stop().
        self.tmp = tempfile.mkdtemp(prefix="pipeline-pdf-")
        self.process = context.Process(
            target=_main, args=(child_end, self.conn, os.getpid(), self.tmp), name="pipeline-pdf", daemon=True
        )
        # The child is born with SIGINT and SIGTERM blocked, until it has its own handlers: a SIGTERM
        # from stop() that came while it still ran this process's handlers (the CLI's, which raise)
        # in the middle of Python's at-fork bookkeeping left a child that neither ran nor died.
        old = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            self.process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
        child_end.close()

    def send(self, job) -> None:
        """Hand over the print job without waiting: the child may still be importing WeasyPrint, and
        a job bigger than the pipe's buffer would block this process until it reads."""
        threading.Thread(target=self._send, args=(job,), daemon=True).start()

    def _send(self, job) -> None:
        try:
            self.conn.send(job)
        except OSError:  # the child is gone; result() says so
            pass

    def ready(self, timeout: float) -> bool:
        """True once the PDF (or the news of the child's end) is waiting."""
        return self.conn.poll(timeout) or not self.process.is_alive()

    def terminate(self) -> None:
        self.process.terminate()

    def result(self) -> tuple[Output, float]:
        """The PDF (files, pages, notices) and the seconds the child took; its exception if it raised one."""
        multiprocessing.connection.wait([self.conn, self.process.sentinel])
        try:
            kind, value = self.conn.recv()
        except (EOFError, OSError):
            self.process.join()
            code = self.process.exitcode
            how = f"was killed by signal {-code}" if code is not None and code < 0 else f"exited with code {code}"
            raise ChildProcessError(f"the PDF process {how} before it finished the PDF") from None
        if kind == "error":
            raise value
        return value

    def run(self, job):
        """Lay out `job` (a whole print job or a part) and wait for its output."""
        self._send(job)
        output, _ = self.result()
        return output

    def stop(self) -> None:
        try:
            self.conn.send(None)  # the child's last job: end
        except OSError:
            pass
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
            if self.process.is_alive():  # it should not be; if it is, it must not hold the build
                self.process.kill()
        self.process.join()
        self.conn.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def _main(conn, parent_end, parent_pid: int, tmp: str) -> None:
    # The child must not outlive the build, however the build ends. Killed outright (SIGKILL, or a
    # SIGHUP with no handler), the build cannot stop it, so: the kernel kills the child when the build
    # dies (Linux), and the child holds no copy of the build's end of the pipe, so that its read sees
    # the end of the pipe once the build is gone (everywhere).
    parent_end.close()
    _die_with(parent_pid)
    tempfile.tempdir = tmp
    # The parent handles Ctrl-C, SIGTERM and SIGHUP and stops the child; the child just ends, silently.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    from . import pages  # noqa: F401  (imports WeasyPrint, ~0.5 s: now, not when the job comes)
    from .parallel import run_one

    while True:  # one job after another (the whole document, or parts of it), until told to stop
        try:
            job = conn.recv()
        except EOFError:  # the build stopped before it had a job to give
            return
        if job is None:
            return
        start = time.perf_counter()
        try:
            reply = ("ok", (run_one(job), time.perf_counter() - start))
        except Exception as exc:  # SourceError (WeasyPrint's warnings) or a bug: the parent raises it
            reply = ("error", exc)
        try:
            conn.send(reply)
        except Exception:  # an exception that does not pickle: send what it said
            conn.send(("error", RuntimeError(f"{type(reply[1]).__name__}: {reply[1]}")))


def _die_with(parent_pid: int) -> None:
    """Ask the kernel for SIGKILL when the parent dies (prctl PR_SET_PDEATHSIG; Linux only)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the closed pipe end still ends the child
        return
    if os.getppid() != parent_pid:  # the parent died before the request was made
        os._exit(0)


class PdfLayout:
    """The PDF edition's worker: as many PDF processes as this process may use cores, started at once;
    the print job sent is laid out in parts across them (parallel.py), or whole on the first. A thread
    of this process hands out the parts and merges them, so the build renders the other editions
    meanwhile."""

    def __init__(self, processes: int | None = None) -> None:
        from ...build import usable_cores

        count = max(1, min(processes or usable_cores(), MAX_PROCESSES))
        self.processes: list[PdfProcess] = []
        try:
            for _ in range(count):
                self.processes.append(PdfProcess())
        except OSError:  # no second process to be had: the ones started do the work
            if not self.processes:
                raise
        self.thread: threading.Thread | None = None
        self.outcome: tuple | None = None
        self.done = threading.Event()
        # The merge's imports (pikepdf, fontTools) here, in the build's thread, once the processes run:
        # not in the thread that merges, where an interrupt of the build, which Python delivers to
        # this thread, could land in the middle of an import the two threads wait on.
        from . import parallel  # noqa: F401

    def send(self, job) -> None:
        self.started = time.perf_counter()
        self.thread = threading.Thread(target=self._lay_out, args=(job,), daemon=True, name="pipeline-pdf-parts")
        self.thread.start()

    def _lay_out(self, job) -> None:
        from . import parallel

        try:
            self.outcome = ("ok", parallel.lay_out_in_parts(job, self._run))
        except BaseException as exc:  # raised by result(), in the build's thread
            self.outcome = ("error", exc)
        finally:
            self.done.set()

    def _run(self, jobs: list) -> list:
        """The jobs on the processes, the longest first, each process taking the next when it is free."""
        import queue

        order = sorted(range(len(jobs)), key=lambda i: -getattr(jobs[i], "cost", 0))
        waiting: queue.Queue = queue.Queue()
        for i in order:
            waiting.put(i)
        results: list = [None] * len(jobs)
        errors: list[BaseException] = []

        def work(process: PdfProcess) -> None:
            while not errors:
                try:
                    i = waiting.get_nowait()
                except queue.Empty:
                    return
                try:
                    results[i] = process.run(jobs[i])
                except BaseException as exc:
                    errors.append(exc)

        threads = [threading.Thread(target=work, args=(p,), daemon=True) for p in self.processes[: len(jobs)]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        return results

    def ready(self, timeout: float) -> bool:
        return self.done.wait(timeout)

    def terminate(self) -> None:
        for process in self.processes:
            process.terminate()

    def result(self) -> tuple[Output, float]:
        if self.thread is not None:
            self.thread.join()
        kind, value = self.outcome
        if kind == "error":
            raise value
        return value, time.perf_counter() - self.started

    def stop(self) -> None:
        for process in self.processes:
            process.stop()


MAX_PROCESSES = 8

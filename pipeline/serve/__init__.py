"""`pipeline serve`: build, serve the build and a preview page of all four editions on loopback, watch
the source and the templates, rebuild what a change touches in this (warm) process, and tell the open
page, which updates itself. See docs/serve.md.

The parts: builder.py (the warm builds), watcher.py (watchfiles), app.py (the Starlette app), pages.py
(page images with pypdfium2), reading.py (the EPUB as a reader opens it), static/ (the preview page).
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from pathlib import Path

from .app import LOOPBACK_HOSTS, Hub, create_app
from .builder import WarmBuilder
from .watcher import watch

# Uvicorn gives open connections (the page's event stream) this long to end on Ctrl-C; the streams
# end by themselves within 0.2 s, so the server is gone within a second.
GRACEFUL_SECONDS = 0.5


class CannotListen(Exception):
    pass


def _Server(config):  # noqa: N802 - a class, made when uvicorn is imported
    return _server_class()(config)


def serve(source: Path, out: Path, templates: Path | None, host: str, port: int, quiet: bool = False) -> None:
    import uvicorn

    hub = Hub()
    builder = WarmBuilder(source, out, templates, notify=hub.notify)
    hosts = LOOPBACK_HOSTS if host in ("127.0.0.1", "localhost", "::1") else ["*"]
    config = uvicorn.Config(
        create_app(builder, hub, hosts),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
        lifespan="on",
    )
    server = _Server(config)
    stop_watching = threading.Event()
    roots = [Path(source)] + ([Path(templates)] if templates else [])
    from ..templates import BUILTIN

    roots.append(BUILTIN)
    watcher = threading.Thread(
        target=watch,
        args=(roots, Path(out), builder, stop_watching),
        name="pipeline-serve-watcher",
        daemon=True,
    )
    shown = "localhost" if host == "127.0.0.1" else host
    if not quiet:
        print(f"pipeline: building {source}/ into {out}/ …", file=sys.stderr)
    builder.start()
    watcher.start()
    if not quiet:
        print(f"pipeline: serving the preview at http://{shown}:{port}/ (Ctrl-C stops)", file=sys.stderr, flush=True)
    try:
        server.run()
    except SystemExit:  # uvicorn could not listen (it has said why: the port is taken, …)
        raise CannotListen(f"cannot serve on {host}:{port}") from None
    finally:
        hub.exiting.set()
        stop_watching.set()
        builder.stop()
        watcher.join(1)


def _server_class():
    import uvicorn

    class Server(uvicorn.Server):
        """Uvicorn's server, but Ctrl-C, SIGTERM and SIGHUP end `run()` normally, where uvicorn raises
        the signal again once it has stopped (which shows a traceback from the app's lifespan): the
        caller then stops the builder and says so."""

        @contextlib.contextmanager
        def capture_signals(self):
            handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
            old = {s: signal.signal(s, self.handle_exit) for s in handled}
            try:
                yield
            finally:
                for s, handler in old.items():
                    signal.signal(s, handler)

    return Server

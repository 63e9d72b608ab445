"""The preview server's ASGI app (Starlette): the preview page, the build folder, the page images and
the EPUB's files from memory, and a server-sent event stream that tells the page of each new build.

It serves nothing else. The build folder goes through Starlette's StaticFiles (which refuses a path
that leads out of its folder, `..` and its encoded forms alike, and symlinks out); hidden files (the
build's manifest and staging) are not served; the EPUB's and the pages' files are looked up by exact
name in memory. The Host header must name this machine (against DNS rebinding) unless `--host` chose
another interface.
"""

from __future__ import annotations

import asyncio
import json
import threading
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from .builder import WarmBuilder

STATIC = Path(__file__).resolve().parent / "static"
KEEPALIVE_SECONDS = 15.0
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]


class Hub:
    """Wakes the event streams (in the server's event loop) when the builder (a thread) has news."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.event: asyncio.Event | None = None
        self.exiting = threading.Event()

    def bind(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.event = asyncio.Event()

    def notify(self) -> None:
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._pulse)

    def _pulse(self) -> None:
        old, self.event = self.event, asyncio.Event()
        if old is not None:
            old.set()


class BuildFiles(StaticFiles):
    """The build folder, without its hidden files (the manifest, a staging folder), never cached
    unchecked: each reload of the web edition asks again (an unchanged file is a 304)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_uncached(message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"cache-control", b"no-cache")]
            await send(message)

        await super().__call__(scope, receive, send_uncached)

    def get_path(self, scope: Scope) -> str:
        path = super().get_path(scope)
        if any(part.startswith(".") for part in Path(path).parts):
            raise HTTPException(status_code=404)
        return path


def create_app(builder: WarmBuilder, hub: Hub, hosts: list[str]) -> Starlette:
    async def page(request: Request) -> Response:
        return FileResponse(STATIC / "preview.html", headers={"cache-control": "no-cache"})

    async def state(request: Request) -> Response:
        return JSONResponse(builder.snapshot().as_json())

    async def events(request: Request) -> Response:
        async def stream():
            sent = -1
            idle = 0.0
            yield "retry: 500\n\n"
            while not hub.exiting.is_set():
                current = builder.snapshot()
                if current.version != sent:
                    sent = current.version
                    idle = 0.0
                    yield f"data: {json.dumps(current.as_json())}\n\n"
                    continue
                waiting = hub.event
                try:  # short waits, so that the stream ends at once when the server stops
                    await asyncio.wait_for(waiting.wait(), 0.2)
                except TimeoutError:
                    idle += 0.2
                    if idle >= KEEPALIVE_SECONDS:
                        idle = 0.0
                        yield ": keepalive\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"cache-control": "no-cache"})

    def page_image(kind: str):
        async def image(request: Request) -> Response:
            images = getattr(builder.snapshot(), kind)
            index = request.path_params["index"]
            if images is None or not 0 <= index < len(images.pages):
                raise HTTPException(status_code=404)
            png = await run_in_threadpool(images.png, index)
            return Response(png, media_type="image/png", headers={"cache-control": "max-age=3600"})

        return image

    async def epub_file(request: Request) -> Response:
        book = builder.snapshot().epub
        entry = book.files.get(request.path_params["name"]) if book else None
        if entry is None:
            raise HTTPException(status_code=404)
        data, media_type = entry
        return Response(data, media_type=media_type, headers={"cache-control": "no-cache"})

    @asynccontextmanager
    async def lifespan(app):
        hub.bind()
        yield

    return Starlette(
        routes=[
            Route("/", page),
            Route("/__preview/state", state),
            Route("/__preview/events", events),
            Route("/__preview/pdf/{index:int}.png", page_image("pdf")),
            Route("/__preview/docx/{index:int}.png", page_image("docx")),
            Route("/__preview/epub/{name:path}", epub_file),
            Mount("/__preview/static", StaticFiles(directory=STATIC)),
            Mount("/build", BuildFiles(directory=builder.out, html=True, check_dir=False)),
        ],
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=hosts)],
        lifespan=lifespan,
    )

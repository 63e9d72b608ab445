"""The PDF edition: a print template (HTML + CSS Paged Media) laid out by WeasyPrint."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import Diagnostic, SourceError
from ..model import Document
from . import Context

NAME = "pdf"
LABEL = "PDF"
MEDIA_TYPE = "application/pdf"


def outputs(meta) -> list[str]:
    return [f"{meta.slug}.pdf"]


def render(doc: Document, ctx: Context) -> dict[str, bytes]:
    import weasyprint  # imported here: it is the slowest import, and only this edition needs it

    source = Path(doc.source_dir)
    html = ctx.templates.render(
        "pdf/book.html",
        doc=doc,
        meta=doc.meta,
        edition=NAME,
        heading_offset=0,
        href=lambda target: target,
        asset=lambda src: (source / src).resolve().as_uri(),
    )
    roots = [source.resolve(), *ctx.templates.roots()]
    base = ctx.templates.find("pdf/book.html").parent
    with _captured_logs() as logs:
        document = weasyprint.HTML(string=html, base_url=str(base), url_fetcher=_confined_fetcher(roots))
        pdf = document.write_pdf(pdf_variant=ctx.options.get("pdf_variant", "pdf/ua-1"), uncompressed_pdf=False)
    problems = list(logs)
    if problems:
        template = str(ctx.templates.find("pdf/book.html"))
        raise SourceError([Diagnostic(template, 1, f"WeasyPrint: {m}") for m in problems])
    return {outputs(doc.meta)[0]: pdf}


def _confined_fetcher(roots: list[Path]):
    """WeasyPrint may read files under the source and template folders, and nothing else."""
    from weasyprint.urls import URLFetcher

    class ConfinedFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme != "file":
                raise ValueError(f"not fetched (only files in the source and template folders are read): {url}")
            path = Path(unquote(parts.path)).resolve()
            if not any(path.is_relative_to(root) for root in roots):
                raise ValueError(f"not fetched (outside the source and template folders): {path}")
            return super().fetch(url, headers)

    return ConfinedFetcher(allowed_protocols={"file", "data"})


class _captured_logs:
    """Collect WeasyPrint's warnings and errors (it logs bad CSS and missing files instead of raising)."""

    def __enter__(self) -> list[str]:
        self.messages: list[str] = []
        self.logger = logging.getLogger("weasyprint")
        self.handler = logging.Handler(level=logging.WARNING)
        self.handler.emit = lambda record: self.messages.append(record.getMessage())
        self.logger.addHandler(self.handler)
        self.propagate = self.logger.propagate
        self.logger.propagate = False
        return self.messages

    def __exit__(self, *exc) -> None:
        self.logger.removeHandler(self.handler)
        self.logger.propagate = self.propagate

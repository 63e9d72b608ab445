"""Helpers several editions share (no edition-specific code here)."""

from __future__ import annotations

import io
from pathlib import Path

import lxml.etree
from markupsafe import Markup
from PIL import Image as PILImage
from PIL import ImageFile

from ..errors import Diagnostic, SourceError
from ..model import Document, Loc
from ..walk import located


def image_sources(doc: Document) -> list[str]:
    """Every image path (relative to the source folder) the document shows, once each, in order."""
    return list(image_places(doc))


def image_places(doc: Document) -> dict[str, Loc]:
    """Every image the document shows (headings and notes included), with where it is first shown."""
    seen: dict[str, Loc] = {}
    for node, loc in located(doc):
        if node.kind in ("image", "figure"):
            seen.setdefault(node.src, loc)
    return seen


def check_images(doc: Document) -> None:
    """Every image must be whole and readable, or the build fails naming it: an edition must never
    crash on a broken file, nor publish one. (The reader checks too; this holds for any model.)"""
    problems = []
    for src, loc in image_places(doc).items():
        reason = image_fault(Path(doc.source_dir) / src)
        if reason:
            problems.append(Diagnostic(loc.path, loc.line, f"image '{src}' cannot be used: {reason}"))
    if problems:
        raise SourceError(problems)


def image_fault(path: Path) -> str:
    """What is wrong with an image file, in words, or "" if it is fine."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    if path.suffix.lower() == ".svg":
        try:
            root = lxml.etree.fromstring(data, lxml.etree.XMLParser(resolve_entities=False, no_network=True))
        except lxml.etree.XMLSyntaxError as exc:
            return f"not well-formed SVG ({exc.msg})"
        if root.tag != "{http://www.w3.org/2000/svg}svg":
            return f"not an SVG image: its root element is <{lxml.etree.QName(root).localname}>, not an SVG <svg>"
        return ""
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False  # WeasyPrint turns it on when imported: a cut file must fail
    try:
        with PILImage.open(io.BytesIO(data)) as image:
            image.load()
    except Exception as exc:  # Pillow raises many kinds (OSError, SyntaxError, ValueError, …)
        return _reason(exc)
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous
    return ""


def _reason(exc: BaseException) -> str:
    """An exception as words: its message, else its type (some carry no message at all)."""
    text = str(exc).strip()
    if isinstance(exc, PILImage.UnidentifiedImageError) or text.startswith("cannot identify image file"):
        return "not an image Pillow can read (damaged, or not the format its name says)"
    if "truncated" in text or isinstance(exc, EOFError):
        return "the file is cut short (truncated)"
    return text or type(exc).__name__


MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}


def css_string(text) -> Markup:
    """Text as a double-quoted CSS string, safe inside a <style> element."""
    escaped = "".join(f"\\{ord(ch):x} " if ch in '"\\<>&\n\r\f' or ord(ch) < 32 else ch for ch in str(text))
    return Markup(f'"{escaped}"')


def check_page_ids(page: str, template: Path, name: str) -> None:
    """Every id of an HTML page once (ids.id_problems): a designer's template may add one the content uses."""
    import lxml.html

    from .. import ids
    from ..templates import shown_path

    try:
        root = lxml.html.document_fromstring(page)
    except lxml.etree.ParserError:  # an empty page (a designer's template may make one): no ids
        return
    if problems := ids.id_problems(root):
        raise SourceError(
            [
                Diagnostic(shown_path(template), 1, f"{name}: id {v!r} {what} (line {n} of the output)")
                for v, n, what in problems
            ]
        )

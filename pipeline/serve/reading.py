"""The EPUB as a reading system opens it: its files in memory, its chapters in spine order, each with
the media type its manifest gives (XHTML as XHTML, so the browser parses it as a reader does)."""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass

from lxml import etree

CONTAINER = "META-INF/container.xml"
NS = {"c": "urn:oasis:names:tc:opendocument:xmlns:container", "opf": "http://www.idpf.org/2007/opf"}
MAX_FILES = 10_000


@dataclass(frozen=True)
class EpubBook:
    files: dict[str, tuple[bytes, str]]  # name in the zip -> (bytes, media type)
    spine: tuple[str, ...]  # the chapters' names in the zip, in reading order
    digest: str

    @classmethod
    def of(cls, epub: bytes) -> EpubBook:
        import hashlib

        with zipfile.ZipFile(io.BytesIO(epub)) as archive:
            names = archive.namelist()[:MAX_FILES]
            raw = {name: archive.read(name) for name in names if not name.endswith("/")}
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        container = etree.fromstring(raw[CONTAINER], parser)
        opf_name = container.find(".//c:rootfile", NS).get("full-path")
        opf = etree.fromstring(raw[opf_name], parser)
        base = posixpath.dirname(opf_name)
        items = {}
        for item in opf.iterfind(".//opf:manifest/opf:item", NS):
            items[item.get("id")] = (posixpath.normpath(posixpath.join(base, item.get("href"))), item.get("media-type"))
        types = {name: media for name, media in items.values()}
        files = {name: (data, types.get(name, "application/octet-stream")) for name, data in raw.items()}
        spine = tuple(items[ref.get("idref")][0] for ref in opf.iterfind(".//opf:spine/opf:itemref", NS))
        return cls(files, spine, hashlib.sha256(epub).hexdigest()[:12])

    def as_json(self) -> dict:
        return {"spine": list(self.spine), "digest": self.digest}

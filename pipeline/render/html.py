"""The web edition: build/index.html and build/assets/ (a static site that works from file:// too).

One page holds the whole paper: a reader can search it with the browser's own find, print it whole, and
save it as one file; the contents sidebar and in-page search make it easy to move around. Everything the
page loads lives under assets/ beside it (styles, script, fonts), so the build folder can be copied to
any static host or opened from disk, and no request leaves the page's folder.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from markupsafe import Markup

from ..errors import Diagnostic, SourceError
from ..model import Document, plain_text
from . import Context
from .common import image_sources

NAME = "html"
LABEL = "Web"
MEDIA_TYPE = "text/html"

# Template files copied into the build as they are: {path in build/: path in the templates}.
FONTS = (
    "SourceSerif4-Regular",
    "SourceSerif4-It",
    "SourceSerif4-Bold",
    "SourceSans3-Regular",
    "SourceSans3-Semibold",
)
STATIC = {
    "assets/style.css": "html/style.css",
    "assets/site.js": "html/site.js",
    **{f"assets/fonts/{name}.woff2": f"fonts/web/{name}.woff2" for name in FONTS},
    "assets/fonts/LICENSE-SourceSerif4.md": "fonts/LICENSE-SourceSerif4.md",
    "assets/fonts/LICENSE-SourceSans3.md": "fonts/LICENSE-SourceSans3.md",
}


def outputs(meta) -> list[str]:
    return ["index.html", *STATIC]


def render(doc: Document, ctx: Context) -> dict[str, bytes]:
    meta = doc.meta
    files: dict[str, bytes] = {}
    for src in image_sources(doc):
        files[f"assets/images/{src}"] = (Path(doc.source_dir) / src).read_bytes()
    for dest, src in STATIC.items():
        files[dest] = ctx.templates.find(src).read_bytes()
    site_url = _site_url(meta)

    def versioned(path: str) -> str:
        """An asset's URL with a short hash of its bytes, so a static host's cache never serves an old one."""
        return f"{path}?v={hashlib.sha256(files[path]).hexdigest()[:10]}"

    page = ctx.templates.render(
        "html/index.html",
        doc=doc,
        meta=meta,
        edition=NAME,
        heading_offset=1,
        href=lambda target: target,
        asset=lambda src: f"assets/images/{src}",
        downloads=ctx.downloads,
        site_url=site_url,
        stylesheet=versioned("assets/style.css"),
        script=versioned("assets/site.js"),
        json_ld=json_ld(doc, ctx.downloads, site_url),
    )
    files["index.html"] = page.encode("utf-8")
    return files


def _site_url(meta) -> str:
    """The address the web edition is published at (theme setting `site_url`), or "" when unknown.

    The canonical link and Open Graph URL must be absolute, so without it they are left out.
    """
    value = dict(meta.theme).get("site_url", "")
    if not value:
        return ""
    if not isinstance(value, str) or not value.startswith(("https://", "http://")) or any(c.isspace() for c in value):
        raise SourceError(
            [Diagnostic("paper.yaml", 1, f"theme: site_url must be an absolute http(s) address, not {value!r}")]
        )
    return value if value.endswith("/") else value + "/"


def json_ld(doc: Document, downloads, site_url: str) -> Markup:
    """schema.org metadata for the paper, as a JSON-LD script body (safe inside <script>)."""
    meta = doc.meta
    org = {"@type": "GovernmentOrganization", "name": meta.issuer} if meta.issuer else None
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "Report",
        "name": meta.title,
        "headline": meta.title,
        "inLanguage": meta.language,
        "identifier": meta.identifier,
        "datePublished": meta.released_iso,
    }
    if meta.subtitle:
        data["alternativeHeadline"] = meta.subtitle
    if meta.modified is not None:
        data["dateModified"] = meta.timestamp.isoformat().replace("+00:00", "Z")
    if org:
        data["author"] = org
    if meta.publisher or org:
        data["publisher"] = {"@type": "Organization", "name": meta.publisher} if meta.publisher else org
    if meta.description:
        data["description"] = meta.description
    if meta.keywords:
        data["keywords"] = list(meta.keywords)
    if meta.rights:
        data["copyrightNotice"] = meta.rights
    if meta.place:
        data["locationCreated"] = {"@type": "Place", "name": meta.place}
    if site_url:
        data["url"] = site_url
    data["hasPart"] = [
        {
            "@type": "CreativeWork",
            "name": " ".join(filter(None, (c.label, plain_text(c.title)))),
            "url": f"{site_url}#{c.id}",
        }
        for c in doc.chapters
    ]
    data["encoding"] = [
        {
            "@type": "MediaObject",
            "name": d.label,
            "contentUrl": site_url + d.filename,
            "encodingFormat": d.media_type,
            "contentSize": d.size_text,
            "sha256": d.sha256,
        }
        for d in downloads
    ]
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False)
    # Nothing inside may end or confuse the <script> element.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)

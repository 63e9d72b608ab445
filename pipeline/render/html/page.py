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
from urllib.parse import quote

from markupsafe import Markup

from ... import fonts, ids
from ...citation import cite
from ...colour import AA, contrast, luminance, mix, readable
from ...model import Document
from .. import Context
from ..common import check_images, check_page_ids, css_string, image_sources
from . import NAME, subset

# Template files copied into the build as they are: {path in build/: path in the templates}.
STATIC = {
    "assets/style.css": "html/style.css",
    "assets/site.js": "html/site.js",
    **{f"assets/{path}": path for path in fonts.LICENCES.values()},
}
# The web fonts, subset to the page's characters once the page is made: {path in build/: template}.
FONTS = {f"assets/fonts/{f.stem}.woff2": f.web_file for f in fonts.web_fonts()}


def outputs(meta) -> list[str]:
    return ["index.html", *STATIC, *FONTS, "assets/icon.svg"]


def render(doc: Document, ctx: Context) -> dict[str, bytes]:
    meta = doc.meta
    check_images(doc)
    files: dict[str, bytes] = {}
    for src in image_sources(doc):
        files[f"assets/images/{src}"] = (Path(doc.source_dir) / src).read_bytes()
    for dest, src in STATIC.items():
        files[dest] = ctx.templates.find(src).read_bytes()
    site_url = _site_url(ctx.theme)
    colours = palette(ctx.theme)
    files["assets/icon.svg"] = icon(colours["light"]["accent"], colours["light"]["bg"])

    def versioned(path: str) -> str:
        """An asset's URL with a short hash of its bytes, so a static host's cache never serves an old one."""
        return f"{path}?v={hashlib.sha256(files[path]).hexdigest()[:10]}"

    page = ctx.templates.render(
        "html/index.html",
        doc=doc,
        meta=meta,
        edition=NAME,
        ids=ids.TEMPLATE,
        heading_offset=1,
        href=lambda target: target,
        asset=lambda src: quote(f"assets/images/{src}"),  # a file named "a#1 b?.png" is a path, not a query
        downloads=ctx.downloads,
        site_url=site_url,
        stylesheet=versioned("assets/style.css"),
        icon=versioned("assets/icon.svg"),
        script=versioned("assets/site.js"),
        json_ld=json_ld(doc, ctx.downloads, site_url),
        citation=cite(meta, site_url),
        citation_data=citation_data(meta),
        theme=ctx.theme,
        palette=colours,
        css_string=css_string,
        cjk=fonts.is_cjk(doc.meta.language),  # the theme's CJK families, then the readers' systems' own
    )
    check_page_ids(page, ctx.templates.find("html/index.html"), "index.html")
    files["index.html"] = page.encode("utf-8")
    chars = subset.page_characters(page, files["assets/site.js"].decode("utf-8"))
    for dest, src in FONTS.items():
        files[dest] = subset.subset(ctx.templates.find(src).read_bytes(), chars)
    return files


def icon(colour: str, paper: str) -> bytes:
    """The page's icon (so browsers need not ask the server for /favicon.ico): a page with lines of text."""
    lines = "".join(
        f'<rect x="9" y="{y}" width="{w}" height="2.4" rx="1.2" fill="{paper}"/>'
        for y, w in ((9, 14), (14, 14), (19, 10))
    )
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
        f'<rect x="4" y="2" width="24" height="28" rx="3" fill="{colour}"/>{lines}</svg>\n'
    )
    return svg.encode("ascii")


def _site_url(theme) -> str:
    """Where the web edition is published (theme setting `url`), or "" when not known.

    The canonical link and Open Graph URL must be absolute, so without it they are left out.
    """
    value = str(theme.get("url") or "").strip()
    if not value:
        return ""
    # An absolute http(s) address: theme.resolve checked it where it was set.
    return value if value.endswith("/") else value + "/"


# --- colours: the theme's, checked for contrast, with a dark variant derived from them ---------------

DARK_BACKGROUND = "#16181b"
DARK_TEXT = "#e8e5df"


def palette(theme) -> dict:
    """The page's colours: {"light": {...}, "dark": {...} or None}.

    Light mode uses the theme's text, background, link and accent colours; the softer shades (panels,
    rules, secondary text) are mixed from them, each kept at AA contrast. Dark mode (for readers whose
    system asks for it) keeps the theme's hues but lightens the link and accent colours to stay readable
    on a dark background. A theme whose own background is dark gets no second variant.
    """
    fg, bg = theme["text_colour"], theme["background_colour"]
    link, accent = theme["link_colour"], theme["accent_colour"]
    # The theme's contrast was checked where it was set (theme.resolve), with its path:line.
    light = _shades(fg, bg, link, accent)
    if luminance(bg) < 0.2:  # the theme is dark already
        return {"light": light, "dark": None, "scheme": "dark"}
    dark = _shades(
        DARK_TEXT, DARK_BACKGROUND, readable(link, DARK_BACKGROUND, 7.0), readable(accent, DARK_BACKGROUND, 6.0)
    )
    return {"light": light, "dark": dark, "scheme": "light dark"}


def _shades(fg: str, bg: str, link: str, accent: str) -> dict:
    dark_mode = luminance(bg) < 0.2
    panel = _keep(lambda t: mix(bg, fg, t), 0.045, lambda c: min(contrast(fg, c), contrast(link, c)) >= AA)
    muted = _keep(lambda t: mix(fg, bg, t), 0.32, lambda c: contrast(c, panel) >= AA and contrast(c, bg) >= AA)
    accent_bg = _keep(lambda t: mix(bg, link, t), 0.12, lambda c: min(contrast(fg, c), contrast(link, c)) >= AA)
    hit = _keep(lambda t: mix(bg, "#665500" if dark_mode else "#ffe14d", t), 0.6, lambda c: contrast(fg, c) >= AA)
    return {
        "fg": fg,
        "bg": bg,
        "link": link,
        "accent": accent,
        "muted": muted,
        "panel": panel,
        "rule": mix(bg, fg, 0.18),
        "accent_bg": accent_bg,
        "hit": hit,
    }


def _keep(make, start: float, ok) -> str:
    """make(t) for the largest t from `start` down to 0 whose colour passes `ok`."""
    steps = 40
    for i in range(steps, -1, -1):
        colour = make(start * i / steps)
        if ok(colour):
            return colour
    return make(0.0)


# What site.js replaces in citation_data: words in private-use characters, which no title holds, which
# BibTeX's escapes leave alone and which JSON writes as they are (not as \u escapes), so a token reads
# the same in the plain, BibTeX and CSL-JSON forms.
CITE_TOKENS = {"url": "\ue000url\ue000", "number": "\ue000number\ue000", "anchor": "\ue000anchor\ue000"}


def citation_data(meta) -> Markup:
    """The citation of a paragraph with its url, number and anchor left as tokens, for site.js to fill
    in for the paragraph a reader picks (a JSON script body, safe inside <script>)."""
    paragraph = cite(meta, CITE_TOKENS["url"], CITE_TOKENS["number"], CITE_TOKENS["anchor"])
    data = {"tokens": CITE_TOKENS, "plain": paragraph.plain, "bibtex": paragraph.bibtex, "csl": paragraph.csl_json}
    # ASCII: the tokens stand in the page as \ue000 escapes, not as characters the page's fonts lack.
    return _script_json(data, ascii=True)


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
            "name": c.heading_text,
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
    return _script_json(data, indent=1)


def _script_json(data, indent: int | None = None, ascii: bool = False) -> Markup:
    text = json.dumps(data, ensure_ascii=ascii, indent=indent, sort_keys=False)
    # Nothing inside may end or confuse the <script> element.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)

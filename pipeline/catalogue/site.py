"""The site's own pages, from the papers' records (stamp.RECORD): the home page (a Jinja template,
`catalogue/index.html`, on the one template search path, with schema.org JSON-LD), the Atom feed
(feedgen) and the sitemap. Data in, {relative path: bytes} out; the caller writes them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from urllib.parse import quote
from xml.sax.saxutils import escape

from ..render import human_size
from ..templates import Templates
from .config import Config

# The fonts the home page uses, from the web edition's (a designer's folder may replace them).
FONTS = ("SourceSerif4-Regular.woff2", "SourceSans3-Regular.woff2", "SourceSans3-Semibold.woff2")
LICENCES = ("LICENSE-SourceSerif4.md", "LICENSE-SourceSans3.md")
# A paper's language as the home page names it: in that language (a reader looks for their own), the
# tag itself for one not listed here.
LANGUAGE_NAMES = {
    "ar": "العربية", "de": "Deutsch", "en": "English", "es": "Español", "fr": "Français", "it": "Italiano",
    "ja": "日本語", "ko": "한국어", "nl": "Nederlands", "pt": "Português", "ru": "Русский", "zh": "中文",
    "zh-Hans": "中文（简体）", "zh-Hant": "中文（繁體）",
}  # fmt: skip
ASSETS = {"assets/catalogue.css": "catalogue/style.css", "assets/catalogue.js": "catalogue/search.js"}


def ordered(records: dict[str, dict], config: Config) -> list[tuple[str, dict]]:
    """The papers as the home page lists them: those catalogue.yaml orders first, in its order; the
    others newest first (then by folder name)."""
    first = [slug for slug in config.order if slug in records]
    rest = sorted((s for s in records if s not in first), key=lambda s: (records[s]["meta"]["released"], s))
    return [(slug, records[slug]) for slug in [*first, *reversed(rest)]]


def pages(papers: Sequence[tuple[str, dict]], config: Config, templates: Templates) -> dict[str, bytes]:
    """Every file of the site's own: the home page and its assets, the feed, the sitemap."""
    files = {
        "index.html": home(papers, config, templates).encode(),
        "feed.xml": feed(papers, config),
        "sitemap.xml": sitemap(papers, config),
    }
    for target, name in ASSETS.items():
        files[target] = templates.find(name).read_bytes()
    for name in FONTS:
        files[f"assets/fonts/{name}"] = templates.find(f"fonts/web/{name}").read_bytes()
    for name in LICENCES:
        files[f"assets/fonts/{name}"] = templates.find(f"fonts/{name}").read_bytes()
    return files


def home(papers: Sequence[tuple[str, dict]], config: Config, templates: Templates) -> str:
    listed = [_listed(slug, record) for slug, record in papers]
    return templates.render(
        "catalogue/index.html",
        site=config,
        papers=listed,
        json_ld=json_ld(papers, config),
    )


def _listed(slug: str, record: dict) -> dict:
    """A paper as the template sees it: its metadata, its page's URL, its editions with sizes shown."""
    base = quote(slug) + "/"
    editions = [
        {**e, "url": base + quote(e["file"]), "size_text": human_size(e["size"])}
        for e in record["editions"]
        if e["name"] != "html"
    ]
    language = record["meta"]["language"]
    name = LANGUAGE_NAMES.get(language) or LANGUAGE_NAMES.get(language.split("-")[0], language)
    return {**record["meta"], "language_name": name, "folder": slug, "url": base + "index.html", "editions": editions}


def json_ld(papers: Sequence[tuple[str, dict]], config: Config) -> str:
    """schema.org: the catalogue as a DataCatalog-like ItemList of Reports, each with its files
    (name, format, size, SHA-256); URLs absolute where the catalogue has a base URL. Ready to put in
    a <script>: no '<' in it, so nothing in a title can close the script."""
    items = []
    for position, (slug, record) in enumerate(papers, 1):
        meta = record["meta"]
        url = _url(config, quote(slug) + "/")
        report = {
            "@type": "Report",
            "@id": meta["identifier"],
            "name": meta["title"],
            "url": url,
            "datePublished": meta["released"],
            "inLanguage": meta["language"],
            "author": {"@type": "Organization", "name": meta["issuer"] or meta["publisher"] or config.title},
            "encoding": [
                {
                    "@type": "MediaObject",
                    "name": e["label"],
                    "contentUrl": _url(config, quote(slug) + "/" + quote(e["file"])),
                    "encodingFormat": e["media_type"],
                    "contentSize": str(e["size"]),
                    "sha256": e["sha256"],
                }
                for e in record["editions"]
            ],
        }
        if meta["description"]:
            report["description"] = meta["description"]
        if meta["keywords"]:
            report["keywords"] = ", ".join(meta["keywords"])
        items.append({"@type": "ListItem", "position": position, "url": url, "item": report})
    data = {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "name": config.title,
        **({"url": config.base_url} if config.base_url else {}),
        **({"description": config.description} if config.description else {}),
        "numberOfItems": len(items),
        "itemListElement": items,
    }
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def feed(papers: Sequence[tuple[str, dict]], config: Config) -> bytes:
    """The Atom feed: one entry a paper, dated by its release (never the clock: the same papers give
    the same bytes)."""
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.id(config.base_url or f"urn:pipeline-catalogue:{quote(config.title)}")
    fg.title(config.title)
    if config.description:
        fg.subtitle(config.description)
    fg.link(href=_url(config, ""), rel="alternate")
    fg.link(href=_url(config, "feed.xml"), rel="self")
    fg.language(config.language)
    fg.author({"name": config.title})
    dates = [_midnight(r["meta"]["released"]) for _, r in papers]
    fg.updated(max(dates) if dates else _midnight("1970-01-01"))
    links = []  # each entry's links, in order: [(href, {attribute: value})]
    for slug, record in papers:
        meta = record["meta"]
        entry = fg.add_entry(order="append")
        entry.id(meta["identifier"])
        entry.title(meta["title"])
        mine = [(_url(config, quote(slug) + "/index.html"), {"rel": "alternate", "type": "text/html"})]
        for e in record["editions"]:
            if e["name"] != "html":
                attributes = {
                    "rel": "enclosure",
                    "type": e["media_type"],
                    "length": str(e["size"]),
                    "title": e["label"],
                }
                mine.append((_url(config, quote(slug) + "/" + quote(e["file"])), attributes))
        for href, attributes in mine:
            entry.link(href=href, **attributes)
        links.append(mine)
        if meta["description"]:
            entry.summary(meta["description"])
        entry.author({"name": meta["issuer"] or meta["publisher"] or config.title})
        entry.published(_midnight(meta["released"]))
        entry.updated(_midnight(meta["released"]))
    return _with_link_attributes(fg.atom_str(pretty=True), links)


def _with_link_attributes(atom: bytes, links: list[list[tuple[str, dict]]]) -> bytes:
    """feedgen 1.0.0 writes an entry's links with their href only (FeedEntry.atom_entry reuses the
    name `link` for the element it makes, so rel, type and length are read from the element and lost):
    every download would read as the entry's page. Set them again, link by link, as they were given."""
    import lxml.etree

    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = lxml.etree.fromstring(atom)
    for entry, mine in zip(root.findall("a:entry", ns), links, strict=True):
        for element, (href, attributes) in zip(entry.findall("a:link", ns), mine, strict=True):
            assert element.get("href") == href
            for name, value in attributes.items():
                element.set(name, value)
    return lxml.etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def sitemap(papers: Sequence[tuple[str, dict]], config: Config) -> bytes:
    """Every page: the home page and each paper's reading page (sitemaps.org)."""
    rows = [(_url(config, ""), max((r["meta"]["released"] for _, r in papers), default=None))]
    rows += [(_url(config, quote(slug) + "/"), r["meta"]["released"]) for slug, r in papers]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for loc, lastmod in rows:
        modified = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        lines.append(f"  <url><loc>{escape(loc or './')}</loc>{modified}</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode()


def _url(config: Config, relative: str) -> str:
    """Absolute under the base URL; without one, relative to the site's root (a sitemap then only
    serves on the host it is copied to: the CLI says to give base_url)."""
    return config.base_url + relative if config.base_url else relative or "./"


def _midnight(iso: str) -> dt.datetime:
    day = dt.date.fromisoformat(iso)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)

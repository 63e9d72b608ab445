"""The web edition: structure, downloads, metadata and links from the built files; then the validators
the web trusts (Nu HTML Checker; axe-core in Chromium at 1280 and 375 px, light and dark, with and
without the page's script), served from disk and from a web server."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import re
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import pytest

from conftest import MINIMAL_YAML, ROOT, write_source
from pipeline.build import build
from pipeline.errors import SourceError
from pipeline.render import human_size
from pipeline.render.html import page as html_edition
from pipeline.theme import defaults

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WEB_CHECK = Path(__file__).with_name("web_check.mjs")
CHROMIUM = Path("/usr/bin/chromium")


def page(path: Path):
    return lxml.html.parse(str(path)).getroot()


def cls(name: str) -> str:
    """An XPath test for an element with the class `name`."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


@pytest.fixture(scope="module")
def root(built):
    return page(built["html"])


# --- the site's files -------------------------------------------------------------------------


def test_every_listed_output_is_written(built):
    for relative in html_edition.outputs(None):
        assert (built["dir"] / relative).is_file(), relative
    licences = {p.name for p in (built["dir"] / "assets" / "fonts").glob("LICENSE-*")}
    assert licences == {"LICENSE-SourceSerif4.md", "LICENSE-SourceSans3.md"}


def _local_references(root):
    """Every URL the page loads or links to, as (element, attribute, value)."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in ("href", "src"):
            value = el.get(attr)
            if value is not None:
                yield el, attr, value


def test_everything_the_page_uses_is_inside_the_build_folder(built, root):
    """Stylesheets, scripts, fonts and links are relative and resolve to files beside the page."""
    base = built["dir"].resolve()
    for el, attr, value in _local_references(root):
        rel = el.get("rel", "")
        if rel in ("schema.DC", "schema.DCTERMS"):  # vocabulary names, never fetched
            continue
        parts = urlsplit(value)
        assert not parts.scheme and not parts.netloc, f"<{el.tag} {attr}={value!r}> leaves the folder"
        if parts.path:
            target = (base / unquote(parts.path)).resolve()
            assert target.is_relative_to(base) and target.is_file(), value
        elif parts.fragment:
            assert root.get_element_by_id(parts.fragment, None) is not None, f"no id for {value}"
    css = (built["dir"] / "assets" / "style.css").read_text()
    for url in re.findall(r"url\(\"?([^\")]+)", css):
        assert (built["dir"] / "assets" / url).is_file(), url


# --- downloads ----------------------------------------------------------------------------------


def test_downloads_name_size_and_checksum_of_the_real_files(built, root):
    items = root.xpath(f"//*[{cls('downloads')}]//li")
    assert [i.xpath(f".//*[{cls('format')}]")[0].text_content() for i in items] == ["PDF", "EPUB", "Word (DOCX)"]
    for item in items:
        link = item.xpath(".//a[@download]")[0]
        data = (built["dir"] / link.get("href")).read_bytes()
        assert item.xpath(f".//*[{cls('size')}]")[0].text_content() == human_size(len(data))
        assert item.xpath(f".//*[{cls('checksum')}]/code")[0].text_content() == hashlib.sha256(data).hexdigest()
    hrefs = {i.xpath(".//a")[0].get("href") for i in items}
    assert hrefs == {built[f].name for f in ("pdf", "epub", "docx")}


def test_json_ld_describes_the_paper_and_its_files(built, root, doc):
    (script,) = root.xpath('//script[@type="application/ld+json"]')
    data = json.loads(script.text)
    assert data["@type"] == "Report" and data["name"] == doc.meta.title
    assert data["datePublished"] == doc.meta.released_iso and data["inLanguage"] == doc.meta.language
    assert data["author"]["name"] == doc.meta.issuer
    for media in data["encoding"]:
        blob = (built["dir"] / media["contentUrl"]).read_bytes()
        assert media["sha256"] == hashlib.sha256(blob).hexdigest()
    assert [p["url"] for p in data["hasPart"]] == [f"#{c.id}" for c in doc.chapters]


def test_html_alone_lists_only_editions_already_built(small_source, tmp_path):
    out = tmp_path / "out"
    build(small_source, out, formats=("html",))
    assert not page(out / "index.html").xpath(f"//*[{cls('downloads')}]")  # none built: none shown, no dead link
    (out / "small-paper.pdf").write_bytes(b"%PDF-1.7 a stand-in" * 100)
    build(small_source, out, formats=("html",))
    items = page(out / "index.html").xpath(f"//*[{cls('downloads')}]//li")
    assert len(items) == 1
    assert items[0].xpath(".//a")[0].get("href") == "small-paper.pdf"
    assert items[0].xpath(f".//*[{cls('size')}]")[0].text_content() == "1.9 KB"


# --- structure, navigation and metadata -------------------------------------------------------------


def test_landmarks_skip_link_one_h1_and_heading_order(root):
    body = root.body
    assert [el.tag for el in body if el.tag in ("header", "nav", "main", "footer")] == [
        "header",
        "nav",
        "main",
        "footer",
    ]
    skip = body[0]
    assert skip.tag == "a" and skip.get("href") == "#main"
    assert len(root.xpath("//h1")) == 1
    levels = [int(h.tag[1]) for h in root.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert levels[0] == 1
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, f"heading level jumps from {before} to {after}"


def test_every_heading_has_a_link_to_itself_and_a_contents_entry(root, doc):
    toc = {a.get("href"): a.text_content() for a in root.xpath(f"//nav//*[{cls('toc')}]//a")}
    for section in doc.sections():
        (heading,) = root.xpath(f"//*[@id='{section.id}-title']")
        anchor = heading.getnext()
        assert anchor.tag == "a" and anchor.get("href") == f"#{section.id}"
        assert anchor.get("aria-labelledby") == f"anchor-label {section.id}-title"
        if section.level <= 2:  # chapters and sections: with the generated number
            assert toc[f"#{section.id}"] == " ".join(filter(None, (section.label, section.plain_title)))
    assert root.get_element_by_id("anchor-label").text_content() == "Link to section"


def test_back_to_top_after_each_chapter(root, doc):
    links = root.xpath(f"//main//*[{cls('to-top')}]/a[@href='#top']")
    assert len(links) == len(doc.chapters)
    assert root.get_element_by_id("top").tag == "header"


def test_reads_without_javascript(root):
    """The contents are closed in the HTML, so a phone starts with the text (the script opens them beside
    the text on wide screens); search, which needs the script, is hidden until the script shows it."""
    assert root.xpath(f"//details[{cls('toc-box')}]")[0].get("open") is None
    assert root.xpath(f"//*[{cls('search')}]")[0].get("hidden") is not None


def test_metadata(root, doc):
    meta = doc.meta
    head = root.head
    assert root.get("lang") == meta.language
    assert head.findtext("title") == meta.title

    def content(selector):
        found = head.xpath(selector)
        return found[0].get("content") if found else None

    assert content('meta[@name="description"]') == meta.description
    assert content('meta[@property="og:title"]') == meta.title
    assert content('meta[@property="og:type"]') == "article"
    assert content('meta[@name="DC.title"]') == meta.title
    assert content('meta[@name="DC.date"]') == meta.released_iso
    assert content('meta[@name="DC.identifier"]') == meta.identifier
    assert not head.xpath('link[@rel="canonical"]')  # no theme url: a relative canonical would be wrong
    assert not head.xpath('meta[@property="og:url"]')


def test_theme_url_gives_canonical_and_absolute_urls(tmp_path):
    yaml = MINIMAL_YAML + "theme:\n  url: https://example.org/papers/small\n"
    src = write_source(tmp_path / "src", {"paper.yaml": yaml, "chapters/one.md": "# One\n\nText.\n"})
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "small-paper.epub").write_bytes(b"stand-in")
    build(src, tmp_path / "out", formats=("html",))
    head = page(tmp_path / "out" / "index.html").head
    assert head.xpath('link[@rel="canonical"]')[0].get("href") == "https://example.org/papers/small/"
    assert head.xpath('meta[@property="og:url"]')[0].get("content") == "https://example.org/papers/small/"
    data = json.loads(head.xpath('script[@type="application/ld+json"]')[0].text)
    assert data["encoding"][0]["contentUrl"] == "https://example.org/papers/small/small-paper.epub"


def test_a_relative_theme_url_is_an_error(tmp_path):
    yaml = MINIMAL_YAML + "theme:\n  url: papers/small\n"
    src = write_source(tmp_path / "src", {"paper.yaml": yaml, "chapters/one.md": "# One\n\nText.\n"})
    with pytest.raises(SourceError, match="'url' must be an absolute http"):
        build(src, tmp_path / "out", formats=("html",))
    assert not (tmp_path / "out" / "index.html").exists()


def test_theme_colours_in_light_and_a_derived_dark_mode(root):
    style = root.head.xpath("style")[0].text
    theme = defaults()
    light, dark = style.split("@media (prefers-color-scheme: dark)")
    assert f"--link: {theme['link_colour']};" in light and f"--bg: {theme['background_colour']};" in light
    assert f"--bg: {html_edition.DARK_BACKGROUND};" in dark


@pytest.mark.parametrize(
    ("fg", "bg", "link"),
    [("#1d1d1f", "#fffffe", "#8c1c13"), ("#e0e0e0", "#101010", "#7fb2ff"), ("#000000", "#ffffff", "#767676")],
)
def test_every_derived_colour_keeps_aa_contrast(fg, bg, link):
    theme = {"text_colour": fg, "background_colour": bg, "link_colour": link, "accent_colour": link}
    result = html_edition.palette(theme)
    assert (result["dark"] is None) == (bg == "#101010")
    for mode in filter(None, (result["light"], result["dark"])):
        for text in ("fg", "link", "accent", "muted"):
            for ground in ("bg", "panel"):
                assert html_edition.contrast(mode[text], mode[ground]) >= 4.5, (text, ground, mode)
        for text in ("fg", "link"):
            assert html_edition.contrast(mode[text], mode["accent_bg"]) >= 4.5, (text, mode)
        assert html_edition.contrast(mode["fg"], mode["hit"]) >= 4.5, mode


def test_a_theme_colour_without_aa_contrast_is_an_error(tmp_path):
    yaml = MINIMAL_YAML + "theme:\n  link_colour: '#9a9a9a'\n"
    src = write_source(tmp_path / "src", {"paper.yaml": yaml, "chapters/one.md": "# One\n\nText.\n"})
    with pytest.raises(SourceError, match="'link_colour' #9a9a9a has contrast 2.81:1 on background_colour #fffffe"):
        build(src, tmp_path / "out", formats=("html",))


def test_json_ld_cannot_close_its_script(tmp_path):
    yaml = MINIMAL_YAML.replace("title: A Small Paper", "title: A </script><b>Paper</b> & more")
    src = write_source(tmp_path / "src", {"paper.yaml": yaml, "chapters/one.md": "# One\n\nText.\n"})
    build(src, tmp_path / "out", formats=("html",))
    text = (tmp_path / "out" / "index.html").read_text()
    script = text.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in script and json.loads(script)["name"] == "A </script><b>Paper</b> & more"


def test_same_source_same_bytes(small_source, tmp_path):
    build(small_source, tmp_path / "a", formats=("html",))
    build(small_source, tmp_path / "b", formats=("html",))
    for relative in html_edition.outputs(None):
        assert (tmp_path / "a" / relative).read_bytes() == (tmp_path / "b" / relative).read_bytes(), relative


# --- validators ------------------------------------------------------------------------------------

RICH_CHAPTER = """\
# First part

A claim with a note.[^a] See [the table](#tbl-rates), [the figure](#fig-map) and [a site](https://example.org/).
*Emphasis*, **strong** and `code`.

{#fig-map}
![A map of the network](map.png "The network in 2022")

{#tbl-rates}
| Year | Users |
|:-----|------:|
| 2021 | 1.0 |
| 2022 | 1.1 |

> A quoted passage.

- one
- two

3. third
4. fourth

```
code block
```

---

## A section

Text of the section.

### A subsection

Text of the subsection.[^b]

[^a]: The first note.
[^b]: The second note, with *emphasis*.
"""


def _png() -> bytes:
    """A valid 40x20 grey PNG."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + b"\x80\x80\x80" * 40 for _ in range(20))
    header = struct.pack(">IIBBBBB", 40, 20, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def rich(tmp_path_factory):
    """A small paper with every kind of block (notes, figure, table, lists, quote, code), web only."""
    root = tmp_path_factory.mktemp("rich")
    yaml = MINIMAL_YAML.replace("  - chapters/one.md", "  - chapters/one.md\n  - chapters/two.md")
    src = write_source(
        root / "src",
        {
            "paper.yaml": yaml,
            "chapters/one.md": RICH_CHAPTER,
            "chapters/two.md": "# Second part\n\nMore text.[^c]\n\n[^c]: A note in part two.\n",
            "chapters/map.png": _png(),
        },
    )
    build(src, root / "out", formats=("html",))
    return root / "out"


def _need(*tools: Path | str) -> None:
    for tool in tools:
        found = Path(tool).exists() if isinstance(tool, Path) else shutil.which(tool)
        if not found:
            pytest.skip(f"{tool} not installed (make test installs it: scripts/install-tools.sh)")


@pytest.mark.slow
def test_nu_html_checker_finds_nothing(built, rich):
    _need(VNU, "java")
    files = [built["html"], built["dir"] / "assets" / "style.css", rich / "index.html"]
    proc = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--also-check-css", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(proc.stderr)["messages"]
    # Errors and warnings; plain information (the shared chapter markup is XHTML-style, `<br />`,
    # which the checker notes has no effect in HTML) is not a finding.
    problems = [
        f"{m.get('type')}/{m.get('subType', '')} {m.get('url', '').rsplit('/', 2)[-2:]} line {m.get('lastLine')}: "
        f"{m['message']}"
        for m in messages
        if m.get("type") != "info" or m.get("subType") == "warning"
    ]
    assert problems == []
    assert proc.returncode == 0


def _web_check(url: str, *args: str) -> dict:
    _need(CHROMIUM, "node", ROOT / "node_modules" / "playwright-core", ROOT / "node_modules" / "axe-core")
    proc = subprocess.run(["node", str(WEB_CHECK), url, *args], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def _assert_clean(run: dict, folder_url: str, query: str = "personal information") -> None:
    where = f"{run['viewport']} {run['scheme']} {'with' if run['js'] else 'without'} script"
    assert run["axe"] == [], where
    assert run["overflow"] <= 0, f"{where}: scrolls sideways by {run['overflow']} px"
    assert run["outside"] == [], f"{where}: requests outside {folder_url}"
    assert run["failed"] == [] and run["errors"] == [], where
    assert all(f.endswith(": loaded") or f.endswith(": unloaded") for f in run["fonts"]), run["fonts"]
    assert any("Source Serif 4 400 normal: loaded" == f for f in run["fonts"]), run["fonts"]
    assert run["focus"][0]["text"] == "Skip to the text"
    assert all(f["visible"] and f["outline"] >= 2 for f in run["focus"]), f"{where}: focus not visible {run['focus']}"
    if run["js"]:
        assert run["axe_search"] == [], where
        assert run["search_visible"]
        assert run["spy"]["current"] == run["spy"]["expected"], where
        assert run["search_results"] > 0 and run["search_marks"] > 0, run["search_status"]
        assert run["search_hit"]["in_view"] and run["search_hit"]["focused"], run["search_hit"]
        assert query in run["search_hit"]["text"].lower()
        assert run["search_none"].startswith("No passage")


@pytest.mark.slow
def test_in_chromium_from_disk(built):
    """axe-core (WCAG 2.2 A/AA and best practices): no violations at 1280 and 375 px, light and dark,
    with and without the script; no sideways scroll; nothing loaded from outside the folder."""
    folder = built["dir"].resolve().as_uri() + "/"
    report = _web_check(folder + "index.html")
    assert len(report["runs"]) == 8
    for run in report["runs"]:
        _assert_clean(run, folder)
        if run["viewport"] == "wide":
            assert 60 <= run["measure"] <= 80, f"{run['measure']} characters a line"
        if run["viewport"] == "phone" and run["js"]:
            assert run["contents_collapsed"]


@pytest.mark.slow
def test_in_chromium_every_kind_of_block(rich):
    """Notes, figure, table, lists, quote and code pass axe too, and fit a phone."""
    assert (rich / "assets" / "images" / "chapters" / "map.png").is_file()
    folder = rich.resolve().as_uri() + "/"
    report = _web_check(folder + "index.html", "--quick", "--phone", "--query", "second note")
    assert len(report["runs"]) == 2
    for run in report["runs"]:
        _assert_clean(run, folder, query="second note")


@pytest.mark.slow
def test_in_chromium_from_a_web_server(built):
    """Copied to a static host, it works the same, and every download link answers with its file."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(built["dir"]))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        folder = f"http://127.0.0.1:{server.server_port}/"
        (run,) = _web_check(folder + "index.html", "--quick")["runs"]
    finally:
        server.shutdown()
        server.server_close()
    _assert_clean(run, folder)
    assert len(run["downloads"]) == 3
    for download in run["downloads"]:
        assert download["status"] == 200
        assert download["size"] == (built["dir"] / download["href"]).stat().st_size

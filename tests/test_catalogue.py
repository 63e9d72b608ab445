"""The publisher's catalogue (issue 19): three papers with different metadata, one broken after a good
build. The good ones publish, the broken one reports `path:line` and keeps its last editions whole;
the home page lists every paper with its real files (sizes, SHA-256), validates (Nu) and passes axe in
Chromium; the feed parses (feedparser); the sitemap lists every page; Pagefind finds a word of each good
paper; a change to one paper rebuilds only that one; a no-op rebuild takes well under a second; a Dask
LocalCluster gives the same bytes as the local pool."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import io
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
from pipeline.catalogue.run import build_catalogue
from pipeline.catalogue.stamp import RECORD
from pipeline.cli import main
from pipeline.render import human_size

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]

# Each paper: its folder, its metadata, and a word only its text has (for the search).
PAPERS = {
    "water": {
        "title": "Clean Water for Every Town",
        "issuer": "Office of Public Works",
        "date": "March 2023",
        "released": "2023-03-14",
        "language": "en",
        "description": "How the towns will pipe clean water by 2030.",
        "uuid": "11111111-1111-4111-8111-111111111111",
        "word": "aqueducts",
    },
    "rail": {
        "title": "Le rail régional",
        "issuer": "Bureau des transports",
        "date": "juin 2024",
        "released": "2024-06-01",
        "language": "fr",
        "description": "Les lignes régionales rouvertes.",
        "uuid": "22222222-2222-4222-8222-222222222222",
        "word": "locomotives",
    },
    "broken": {
        "title": "A Paper That Breaks",
        "issuer": "Test Office",
        "date": "May 2024",
        "released": "2024-05-02",
        "language": "en",
        "description": "Good once, then broken.",
        "uuid": "33333333-3333-4333-8333-333333333333",
        "word": "zeppelins",
    },
}
CATALOGUE_YAML = "title: Office Papers\nbase_url: https://papers.example.org/pubs\norder: [rail]\n"


def write_paper(papers: Path, slug: str, extra: str = "") -> Path:
    p = PAPERS[slug]
    yaml_text = (
        MINIMAL_YAML.replace("A Small Paper", p["title"])
        .replace("Test Office", p["issuer"])
        .replace("May 2024", p["date"])
        .replace("2024-05-02", p["released"])
        .replace("language: en", f"language: {p['language']}")
        .replace("00000000-0000-4000-8000-000000000000", p["uuid"])
        .replace("small-paper", f"{slug}-paper")
        + f"description: {p['description']}\n"
    )
    text = f"# One\n\nThe {p['word']} of this paper.{extra}\n\n## Part\n\nSecond paragraph.\n"
    return write_source(papers / slug, {"paper.yaml": yaml_text, "chapters/one.md": text})


def run_cli(papers: Path, out: Path, capsys, *more: str) -> tuple[int, list[str]]:
    code = main(["catalogue", "--papers", str(papers), "--out", str(out), *more])
    return code, capsys.readouterr().err.splitlines()


def built_lines(lines: list[str]) -> set[str]:
    return {m.group(1) for line in lines if (m := re.match(r"\s+(\S+)\s+built in", line))}


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Built good, then `broken` broken (an unknown key, at paper.yaml's line 11) and built again."""
    root = tmp_path_factory.mktemp("catalogue")
    papers, out = root / "papers", root / "site"
    for slug in PAPERS:
        write_paper(papers, slug)
    (papers / "catalogue.yaml").write_text(CATALOGUE_YAML, encoding="utf-8")
    first = build_catalogue(papers, out)
    before = tree(out / "broken")
    with (papers / "broken" / "paper.yaml").open("a", encoding="utf-8") as f:
        f.write("colour: red\n")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):  # through the CLI, as a user runs it
        code = main(["catalogue", "--papers", str(papers), "--out", str(out)])
    lines = err.getvalue().splitlines()
    return {"papers": papers, "out": out, "first": first, "before": before, "code": code, "lines": lines}


@pytest.fixture(scope="module")
def home(site):
    return lxml.html.parse(str(site["out"] / "index.html")).getroot()


pytestmark = pytest.mark.slow  # the module builds a catalogue of three papers (~20 s on two cores)


def test_the_good_papers_publish_and_the_broken_one_keeps_its_last_editions(site):
    out = site["out"]
    assert set(site["first"].built) == set(PAPERS) and not site["first"].failed
    assert site["code"] == 1  # one paper failed
    assert built_lines(site["lines"]) == {"broken"} or built_lines(site["lines"]) == set()
    assert tree(out / "broken") == site["before"]  # its last good editions, whole and unchanged
    for slug in ("water", "rail", "broken"):
        for ext in ("pdf", "epub", "docx"):
            data = (out / slug / f"{slug}-paper.{ext}").read_bytes()
            assert len(data) > 1000
        assert (out / slug / "index.html").is_file()
    assert (out / "rail" / "rail-paper.pdf").read_bytes().startswith(b"%PDF-")
    # the search index is of the listed papers' pages (the broken one's last good page among them)
    assert (out / "pagefind" / ".catalogue-pages").read_text().split() == ["rail", "broken", "water"]


def test_the_broken_paper_reports_path_and_line(site, capsys):
    code, lines = run_cli(site["papers"], site["out"], capsys)
    assert code == 1
    assert any(re.search(r"broken\s+FAILED \(1 problem\); it keeps its last good editions", line) for line in lines)
    assert any(re.search(r"broken/paper\.yaml:11: .*colour", line) for line in lines), lines
    assert any(re.search(r"water\s+unchanged", line) for line in lines)
    assert built_lines(lines) == set()  # the good papers, unchanged, are not rebuilt


def test_home_page_lists_each_paper_with_its_real_files(site, home):
    out = site["out"]
    items = home.xpath('//ol[@class="papers"]/li')
    titles = [i.xpath(".//h3")[0].text_content() for i in items]
    # catalogue.yaml's order first (rail), then the others newest first
    assert titles == [PAPERS["rail"]["title"], PAPERS["broken"]["title"], PAPERS["water"]["title"]]
    for item in items:
        slug = item.xpath(".//h3/a")[0].get("href").split("/")[0]
        p = PAPERS[slug]
        text = item.text_content()
        for key in ("issuer", "date", "description"):
            assert p[key] in text, (slug, key)
        assert item.xpath(".//time")[0].get("datetime") == p["released"]
        assert item.xpath('.//*[@class="language"]')[0].text == {"en": "English", "fr": "Français"}[p["language"]]
        assert (item.get("lang") == "fr") == (p["language"] == "fr")  # a paper in another language says so
        editions = item.xpath('.//li[@class="edition"][.//code]')
        assert [e.xpath('.//span[@class="format"]')[0].text for e in editions] == ["PDF", "EPUB", "Word (DOCX)"]
        for e in editions:
            data = (out / unquote(e.xpath(".//a")[0].get("href"))).read_bytes()
            assert e.xpath('.//span[@class="size"]')[0].text == human_size(len(data))
            assert e.xpath(".//code")[0].text == hashlib.sha256(data).hexdigest()


def test_every_link_of_the_home_page_resolves_inside_the_site(site, home):
    base = site["out"].resolve()
    for el in home.iter():
        for attr in ("href", "src"):
            value = el.get(attr) if isinstance(el.tag, str) else None
            if value is None or el.get("rel") == "canonical" or value == "data:,":  # no icon, and no request for one
                continue
            parts = urlsplit(value)
            assert not parts.scheme and not parts.netloc, value
            if parts.path:
                assert (base / unquote(parts.path)).resolve().is_file(), value
    css = (site["out"] / "assets" / "catalogue.css").read_text()
    for url in re.findall(r"url\(\"?([^\")]+)", css):
        assert (site["out"] / "assets" / url).is_file(), url


def test_json_ld_lists_the_papers_with_their_files(site, home):
    (script,) = home.xpath('//script[@type="application/ld+json"]')
    data = json.loads(script.text)
    assert data["@type"] == "ItemList" and data["numberOfItems"] == 3 and data["name"] == "Office Papers"
    for item in data["itemListElement"]:
        report = item["item"]
        slug = urlsplit(report["url"]).path.split("/")[-2]
        assert report["@type"] == "Report" and report["name"] == PAPERS[slug]["title"]
        assert report["inLanguage"] == PAPERS[slug]["language"]
        assert report["url"] == f"https://papers.example.org/pubs/{slug}/"
        for media in report["encoding"]:
            path = urlsplit(media["contentUrl"]).path.removeprefix("/pubs/")
            blob = (site["out"] / path).read_bytes()
            assert media["sha256"] == hashlib.sha256(blob).hexdigest() and media["contentSize"] == str(len(blob))


def test_the_feed_parses(site):
    feedparser = pytest.importorskip("feedparser")
    parsed = feedparser.parse((site["out"] / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10" and parsed.feed.title == "Office Papers"
    entries = {e.id: e for e in parsed.entries}
    assert set(entries) == {f"urn:uuid:{p['uuid']}" for p in PAPERS.values()}
    for slug, p in PAPERS.items():
        e = entries[f"urn:uuid:{p['uuid']}"]
        assert e.title == p["title"] and e.summary == p["description"] and e.author == p["issuer"]
        assert e.link == f"https://papers.example.org/pubs/{slug}/index.html"
        assert e.published.startswith(p["released"])
        enclosures = {urlsplit(x.href).path.rsplit("/", 1)[-1] for x in e.enclosures}
        assert enclosures == {f"{slug}-paper.{ext}" for ext in ("pdf", "epub", "docx")}


def test_the_sitemap_lists_every_page(site):
    import xml.etree.ElementTree as ET

    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in ET.parse(site["out"] / "sitemap.xml").getroot().findall("s:url/s:loc", ns)]
    base = "https://papers.example.org/pubs/"
    assert sorted(locs) == sorted([base, *(f"{base}{slug}/" for slug in PAPERS)])
    for loc in locs:  # each is a page of the site
        assert (site["out"] / loc.removeprefix(base) / "index.html").is_file()


def test_changing_one_paper_rebuilds_only_that_one(site, capsys):
    write_paper(site["papers"], "water", extra=" A sentence more.")
    before = {slug: (site["out"] / slug / RECORD).read_bytes() for slug in ("rail", "broken")}
    code, lines = run_cli(site["papers"], site["out"], capsys)
    assert code == 1  # the broken one still fails
    assert built_lines(lines) == {"water"}
    assert "A sentence more." in (site["out"] / "water" / "index.html").read_text()
    assert {slug: (site["out"] / slug / RECORD).read_bytes() for slug in ("rail", "broken")} == before


def test_a_no_op_rebuild_builds_no_paper_and_changes_no_edition(site):
    """Its time is make bench's (bench/catalogue.py): here, that it does no paper's work at all."""
    (site["papers"] / "broken" / "paper.yaml").write_text(
        (site["papers"] / "broken" / "paper.yaml").read_text().replace("colour: red\n", "")
    )
    build_catalogue(site["papers"], site["out"])  # the broken one mended: all three current
    editions = {p: p.read_bytes() for p in site["out"].glob("*/*.*") if p.suffix in (".pdf", ".epub", ".docx")}
    summary = build_catalogue(site["papers"], site["out"])
    assert summary.built == () and len(summary.unchanged) == 3
    assert {p: p.read_bytes() for p in editions} == editions


def test_a_bad_catalogue_yaml_is_path_line_and_builds_nothing(tmp_path, capsys):
    papers = tmp_path / "papers"
    write_paper(papers, "water")
    (papers / "catalogue.yaml").write_text("title: T\nbase_url: not-a-url\norder: [water, nowhere]\ntitel: x\n")
    code, lines = run_cli(papers, tmp_path / "out", capsys)
    assert code == 1
    assert any(re.search(r"catalogue\.yaml:2: base_url must be an absolute", line) for line in lines), lines
    assert any(re.search(r"catalogue\.yaml:3: no paper folder 'nowhere'", line) for line in lines), lines
    assert any(re.search(r"catalogue\.yaml:4: unknown key 'titel'; did you mean 'title'", line) for line in lines)
    assert not (tmp_path / "out").exists()


# --- validators: Nu, axe in Chromium, Pagefind -------------------------------------------------


def _need(*tools: Path | str) -> None:
    for tool in tools:
        found = Path(tool).exists() if isinstance(tool, Path) else shutil.which(tool)
        if not found:
            pytest.skip(f"{tool} not installed (make tools)")


def test_nu_html_checker_finds_nothing(site):
    _need(VNU, "java")
    files = [site["out"] / "index.html", site["out"] / "assets" / "catalogue.css"]
    proc = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--also-check-css", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(proc.stderr)["messages"]
    problems = [
        f"{m.get('type')} line {m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") != "info" or m.get("subType") == "warning"
    ]
    assert problems == []


@pytest.fixture(scope="module")
def served(site):
    """The site on a static web server (Pagefind fetches its index: not from disk)."""
    handler = functools.partial(_QuietHandler, directory=str(site["out"]))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _axe(page) -> list:
    page.add_script_tag(content=AXE.read_text())
    return page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: "tag", values: tags}, preload: false})).violations
             .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3)})`)""",
        TAGS,
    )


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_home_page_in_chromium_from_disk(site, browser, width, height, scheme):
    _need(AXE)
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    failed, errors = [], []
    page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto((site["out"] / "index.html").resolve().as_uri())
        page.evaluate("document.fonts.ready")
        assert _axe(page) == []
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"scrolls sideways by {overflow} px"
        assert failed == [] and errors == []
        assert page.is_visible("#search-note")  # from disk: the note says search needs a server
        fonts = page.evaluate("[...document.fonts].filter((f) => f.status === 'loaded').map((f) => f.family)")
        assert "Source Sans 3" in fonts
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pagefind_finds_a_word_of_each_good_paper(site, served, browser, scheme):
    _need(AXE)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(served + "index.html")
        search = page.locator(".pagefind-ui__search-input")
        search.wait_for(timeout=15000)
        assert not page.is_visible("#search-note")
        for slug in ("water", "rail"):
            search.fill(PAPERS[slug]["word"])
            # The results replace the last word's as they come: wait for this paper's page among them.
            page.wait_for_function(
                """(slug) => [...document.querySelectorAll(".pagefind-ui__result-link")]
                     .some((a) => a.href.includes(`/${slug}/index.html`))""",
                arg=slug,
                timeout=15000,
            )
            hrefs = page.eval_on_selector_all(".pagefind-ui__result-link", "els => els.map((e) => e.href)")
            assert all(f"/{slug}/index.html" in h for h in hrefs), hrefs  # its word is in no other paper
            excerpt = page.locator(".pagefind-ui__result-excerpt").first.text_content()
            assert PAPERS[slug]["word"] in excerpt and "¶" not in excerpt and "#" not in excerpt  # the text alone
        assert _axe(page) == []  # with results shown
        assert errors == []
    finally:
        context.close()


# --- Dask --------------------------------------------------------------------------------------


def test_dask_local_cluster_gives_the_same_bytes(tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    papers = tmp_path / "papers"
    write_paper(papers, "water")
    write_paper(papers, "rail")
    local, remote = tmp_path / "local", tmp_path / "remote"
    assert build_catalogue(papers, local).failed == ()
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None) as cluster:
        address = cluster.scheduler_address.removeprefix("tcp://")
        code, lines = run_cli(papers, remote, capsys, "--executor", f"dask://{address}")
    assert code == 0, lines
    assert built_lines(lines) == {"water", "rail"}
    for slug in ("water", "rail"):
        assert tree(local / slug) == tree(remote / slug)
    assert (local / "index.html").read_bytes() == (remote / "index.html").read_bytes()

"""The web edition's weight and its phone, print and no-script behaviour (issue 16's web rows), from
the built page: its files' sizes and fonts, then the page itself in Debian's Chromium (Playwright)."""

from __future__ import annotations

import io
from pathlib import Path

import lxml.html
import pytest
from fontTools.ttLib import TTFont

from conftest import ROOT
from pipeline.render.html import page as html_edition
from pipeline.render.html import subset

PHONE = {"width": 375, "height": 667}
WIDE = {"width": 1280, "height": 900}
BLACK, WHITE = "rgb(0, 0, 0)", "rgb(255, 255, 255)"


def _files(folder: Path) -> dict[str, int]:
    return {rel: (folder / rel).stat().st_size for rel in html_edition.outputs(None)}


# --- weight ----------------------------------------------------------------------------------------


def test_web_edition_weighs_at_most_250_kb(built):
    sizes = _files(built["dir"])
    assert sum(sizes.values()) <= 250_000, sizes
    for rel in html_edition.FONTS:
        assert sizes[rel] <= 40_000, (rel, sizes[rel])


def test_each_font_has_every_character_of_the_page_and_its_kerning(built):
    text = lxml.html.parse(str(built["html"])).getroot().body.text_content()
    wanted = {ord(c) for c in text if not c.isspace() or c == " "}
    for rel in html_edition.FONTS:
        font = TTFont(built["dir"] / rel)
        assert wanted <= set(font.getBestCmap()), (rel, sorted(chr(c) for c in wanted - set(font.getBestCmap())))
        features = {r.FeatureTag for r in font["GPOS"].table.FeatureList.FeatureRecord}
        assert "kern" in features, rel
        substitutions = {r.FeatureTag for r in font["GSUB"].table.FeatureList.FeatureRecord}
        assert "onum" in substitutions, rel  # style.css asks for old-style figures
        assert len(font.getGlyphOrder()) < 400, rel  # of ~2,478


def test_subsetting_is_deterministic_and_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("PIPELINE_CACHE_DIR", str(tmp_path / "cache"))
    data = (ROOT / "templates" / "fonts" / "web" / "SourceSans3-Regular.woff2").read_bytes()
    chars = frozenset("Kerning: AVATAR ffi 0123 “quoted” …")
    first = subset.subset(data, chars)
    subset._cached.cache_clear()
    assert subset._subset(data, "".join(sorted(chars))) == first  # no clock, no random order
    (cached,) = (tmp_path / "cache" / "web-fonts").glob("*.woff2")
    assert cached.read_bytes() == first

    def boom(*args):
        raise AssertionError("subset again instead of reading the cache")

    monkeypatch.setattr(subset, "_subset", boom)
    assert subset.subset(data, chars) == first
    assert TTFont(io.BytesIO(first)).getBestCmap().keys() >= {ord(c) for c in chars}


# --- in Chromium ----------------------------------------------------------------------------------


def _open(browser, built, viewport=PHONE, **options):
    phone = viewport["width"] < 600
    context = browser.new_context(
        viewport=viewport, is_mobile=phone, has_touch=phone, reduced_motion="reduce", **options
    )
    page = context.new_page()
    page.goto(built["html"].resolve().as_uri(), wait_until="load")
    page.evaluate("document.fonts.ready")
    return context, page


IN_VIEW = """(el) => { const r = el.getBoundingClientRect();
  return {top: r.top, bottom: r.bottom, height: r.height, inside: r.height > 0 && r.top >= 0 && r.bottom <= innerHeight}; }"""


@pytest.mark.slow
@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["phone", "wide"])
def test_choosing_a_search_result_keeps_the_results_in_view(browser, built, viewport):
    context, page = _open(browser, built, viewport)
    try:
        page.fill("#search-input", "personal information")
        page.press("#search-input", "Enter")
        assert page.locator("#search-results li").count() > 3
        page.click("#search-results li:nth-child(3) a")
        page.wait_for_timeout(200)
        results = page.eval_on_selector("#search-results", IN_VIEW)
        assert results["inside"], f"the results left the screen: {results}"
        hit = page.eval_on_selector(".search-hit", IN_VIEW)
        assert 0 <= hit["top"] < viewport["height"], hit
        if viewport is PHONE:  # above the docked panel, not under it
            assert hit["top"] < page.eval_on_selector(".search", IN_VIEW)["top"], (hit, results)
        assert "personal information" in page.eval_on_selector(".search-hit", "el => el.textContent").lower()
        page.click("#search-results li:nth-child(4) a")  # the next result is still there to choose
        page.wait_for_timeout(200)
        assert page.eval_on_selector("#search-results", IN_VIEW)["inside"]
    finally:
        context.close()


TARGETS = """() => [...document.querySelectorAll("a[href], button, summary")].flatMap((el) => {
  const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
  if (!r.width || !r.height || cs.visibility === "hidden") return [];
  // WCAG 2.5.8's inline exception: a link in a sentence of running text (here: the note references
  // and the links inside the paper's paragraphs and notes).
  if (cs.display === "inline" && el.closest("main p, main li, main td, main figcaption")) return [];
  return [{text: el.textContent.trim().slice(0, 30), cls: el.className, width: r.width, height: r.height}];
})"""


@pytest.mark.slow
@pytest.mark.parametrize("js", [True, False], ids=["script", "no-script"])
def test_every_target_is_at_least_24_px_on_a_phone(browser, built, js):
    context, page = _open(browser, built, java_script_enabled=js)
    try:
        page.evaluate("document.querySelectorAll('details').forEach((d) => d.open = true)")
        targets = page.evaluate(TARGETS)
        assert len(targets) > 40
        small = [t for t in targets if t["width"] < 24 or t["height"] < 24]
        assert small == [], small[:10]
    finally:
        context.close()


@pytest.mark.slow
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_printing_is_black_on_white(browser, built, scheme):
    context, page = _open(browser, built, WIDE, color_scheme=scheme)
    try:
        page.emulate_media(media="print", color_scheme=scheme)
        colours = page.evaluate("""() => {
          const pick = (sel) => [...document.querySelectorAll(sel)].slice(0, 5);
          const out = [];
          for (const sel of ["h1", "main h2", "main h2 .label", "main h3", "main h3 .label", "main p", ".title-block p",
                             ".lead-in", "main a", ".site-footer p"]) {
            for (const el of pick(sel)) out.push({sel, color: getComputedStyle(el).color});
          }
          return {items: out, body: getComputedStyle(document.body).backgroundColor,
                  html: getComputedStyle(document.documentElement).backgroundColor};
        }""")
        assert {c["sel"] for c in colours["items"]} >= {"h1", "main h2 .label", "main p"}
        assert [c for c in colours["items"] if c["color"] != BLACK] == []
        assert colours["body"] == WHITE
    finally:
        context.close()


@pytest.mark.slow
def test_a_phone_without_script_starts_with_the_text(browser, built):
    context, page = _open(browser, built, java_script_enabled=False)
    try:
        first = page.evaluate("""() => {
          const top = (el) => el.getBoundingClientRect().top + scrollY;
          return {title: top(document.querySelector("h1")), heading: top(document.querySelector("main h2")),
                  text: top(document.querySelector("main p")), contents: top(document.querySelector(".toc-box")),
                  contents_open: document.querySelector(".toc-box").open};
        }""")
        assert first["heading"] < PHONE["height"], f"the first chapter starts {first['heading']:.0f} px down"
        assert first["title"] < first["heading"]
        assert not first["contents_open"]
    finally:
        context.close()


@pytest.mark.slow
def test_wide_screens_with_script_open_the_contents_beside_the_text(browser, built):
    context, page = _open(browser, built, WIDE)
    try:
        assert page.evaluate("document.querySelector('.toc-box').open")
        assert page.is_visible(".toc a")
    finally:
        context.close()

"""The EPUB's cover page fits any reading-system viewport (issue 16): opened in Chromium (Playwright
driving Debian's /usr/bin/chromium) at portrait, landscape and phone sizes, the page does not scroll and
the whole cover image lies inside the viewport, so no line of the cover is cut off."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from conftest import CHROMIUM, build_alone

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.is_file(), reason="needs Debian's chromium at /usr/bin/chromium"),
]

VIEWPORTS = [(600, 800), (800, 600), (375, 667)]
SCREENSHOTS = {(600, 800): "/tmp/epub2-cover-600x800.png", (800, 600): "/tmp/epub2-cover-800x600.png"}

MEASURE = """() => {
  const img = document.querySelector('img');
  const box = img.getBoundingClientRect();
  const page = document.scrollingElement;
  return {
    scrollWidth: page.scrollWidth, scrollHeight: page.scrollHeight,
    innerWidth: window.innerWidth, innerHeight: window.innerHeight,
    box: {left: box.left, top: box.top, right: box.right, bottom: box.bottom},
    natural: [img.naturalWidth, img.naturalHeight], complete: img.complete,
  };
}"""


@pytest.fixture(scope="module")
def cover_page(tmp_path_factory) -> Path:
    """The bundled paper's EPUB, unzipped as a reading system would: the cover page's file."""
    tmp = tmp_path_factory.mktemp("epub-cover")
    book = build_alone("epub", tmp / "build")
    folder = tmp / "unzipped"
    with zipfile.ZipFile(book) as z:
        z.extractall(folder)
    (page,) = folder.rglob("cover.xhtml")
    return page


@pytest.mark.parametrize(("width", "height"), VIEWPORTS, ids=[f"{w}x{h}" for w, h in VIEWPORTS])
def test_cover_fits_the_viewport(cover_page, browser, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.goto(cover_page.as_uri(), wait_until="load")
        m = page.evaluate(MEASURE)
        if (width, height) in SCREENSHOTS:
            page.screenshot(path=SCREENSHOTS[(width, height)])
    finally:
        page.close()
    assert m["complete"] and m["natural"] == [1600, 2400], f"the cover image did not load: {m}"
    assert (m["innerWidth"], m["innerHeight"]) == (width, height)
    assert m["scrollHeight"] <= height, f"the cover page scrolls down: {m['scrollHeight']} > {height}"
    assert m["scrollWidth"] <= width, f"the cover page scrolls sideways: {m['scrollWidth']} > {width}"
    box = m["box"]
    assert box["left"] >= 0 and box["top"] >= 0, box
    assert box["right"] <= width and box["bottom"] <= height, f"the cover runs out of {width}x{height}: {box}"
    # As large as the viewport allows: it touches two opposite edges (not shrunk to a stamp).
    shown_w, shown_h = box["right"] - box["left"], box["bottom"] - box["top"]
    assert max(shown_w / width, shown_h / height) > 0.99, box
    assert abs(shown_w / shown_h - 2 / 3) < 0.01, f"the cover is distorted: {box}"

"""The shared tables: the font registry names files that exist, and the colour helpers agree with WCAG."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import colour, fonts

BUILTIN = Path(__file__).resolve().parent.parent / "templates"


@pytest.mark.parametrize("face", fonts.FONTS, ids=lambda f: f.stem)
def test_every_registered_font_is_vendored(face):
    assert (BUILTIN / face.file).is_file()
    assert (BUILTIN / face.web_file).is_file()


def test_licences_are_vendored():
    for path in fonts.LICENCES.values():
        assert (BUILTIN / path).is_file()


def test_every_vendored_font_is_registered():
    vendored = {p.stem for p in (BUILTIN / "fonts").glob("*.otf")}
    assert vendored == {f.stem for f in fonts.FONTS}


def test_nearest_face():
    assert fonts.font("Source Sans 3", "bold", italic=True).stem == "SourceSans3-Bold"  # no bold italic
    assert fonts.font("source serif 4", "bold", italic=True).stem == "SourceSerif4-BoldIt"
    assert fonts.font("Source Serif 4", "black").stem == "SourceSerif4-Regular"
    with pytest.raises(KeyError):
        fonts.font("Comic Sans")


def test_contrast_and_mix():
    assert colour.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert colour.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert colour.mix("#000000", "#ffffff", 0.5) == "#808080"
    assert colour.mix_rgb((255, 255, 255), (0, 0, 0), 0.15) == (217, 217, 217)
    lighter = colour.readable("#1a3d7c", "#16181b", 7.0)
    assert colour.contrast(lighter, "#16181b") >= 7.0

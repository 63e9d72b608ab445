"""What WeasyPrint's PDF/X-4 leaves to be done for a press-ready PDF: the page boxes, the printer's
marks, a colour space for the RGB it draws, and reproducible metadata. WeasyPrint's `finisher`, on
pydyf's objects before they are written (as tagging.py is for the reading PDF).

- Page boxes. With CSS `bleed`, WeasyPrint makes the TrimBox the page and the MediaBox the page plus
  the bleed, and puts the BleedBox at most 10 pt outside the TrimBox. A preflight wants MediaBox ⊃
  BleedBox ⊃ TrimBox, with the BleedBox the trim plus the bleed the printer asked for, and room for
  the marks outside it: here the BleedBox is the trim plus the theme's `bleed` (which is where
  WeasyPrint painted the page backgrounds to: the cover's colour field reaches it), and the MediaBox
  is that plus `SLUG` for the marks.
- Marks. WeasyPrint's own (`marks: crop cross`) are drawn in the outer half of the CSS bleed area:
  on the bleed itself, over the cover's colour, inside the BleedBox; a CSS bleed wide enough to hold
  them outside would have the page backgrounds painted under them too. Here crop marks (on the trim
  lines, from `GAP` beyond the bleed) and registration targets (mid-side) are drawn in the slug,
  outside the BleedBox, in the registration colour (/Separation /All: on every plate, as marks must be).
- Colour. WeasyPrint draws CSS colours and RGB images in DeviceRGB, which PDF/X-4 allows beside a
  CMYK output intent only with a DefaultRGB colour space: sRGB (the ICC's profile WeasyPrint ships),
  since CSS colours are sRGB. The RIP converts to the press's CMYK through the output intent.
- Transparency. PDF/X-4 allows it live (an image with an alpha channel keeps its soft mask); a page
  that uses any (a soft mask, a blend mode, an alpha below 1, a transparency group) gets a page group
  that blends in the output intent's CMYK, as a preflight asks, instead of the viewer's choice.
- Links. An annotation may not sit on the printed area of a PDF/X file; a print file needs no links.
- Reproducible. PDF/X-4 makes WeasyPrint write a random xmpMM:DocumentID: it is made from the paper's
  identifier instead (the /ID is already, book.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files

import pydyf

from .objects import Objects

MM = 72 / 25.4
GAP = 2 * MM  # between the bleed edge and the marks: a trim a little off still shows no mark
LENGTH = 6 * MM  # of a crop mark
SLUG = GAP + LENGTH + 1 * MM  # the MediaBox beyond the BleedBox: the marks and a margin
LINE = 0.25  # points: the usual hairline of printer's marks
TARGET = 2 * MM  # radius of a registration target's circle; its cross reaches LENGTH / 2 out
KAPPA = 0.5523  # a quarter circle as a Bézier curve
REGISTRATION = "PipelineRegistration"  # the colour space's resource name


@dataclass(frozen=True)
class Press:
    """What the finisher needs, as plain data (it crosses to the PDF's process in the PrintJob)."""

    bleed: float  # points beyond the trim, the theme's `bleed`
    document_id: str  # the XMP xmpMM:DocumentID, a UUID made from the paper's identifier


def finisher(press: Press):
    def finish(document, pdf) -> None:
        objects = Objects(pdf)
        registration = _registration_colour(pdf)
        for number in pdf.pages["Kids"][::3]:  # pydyf keeps them flat: number, 0, "R", number, …
            page = pdf.objects[number]
            trim = [float(v) for v in page["TrimBox"]]
            page["BleedBox"] = pydyf.Array(_grown(trim, press.bleed))
            page["MediaBox"] = pydyf.Array(_grown(trim, press.bleed + SLUG))
            for annotation in page.pop("Annots", None) or ():
                # Emptied, not only unlisted: pydyf writes every object it was given, and a preflight
                # that reads all objects would still find the links.
                found = objects(annotation)
                if isinstance(found, dict):
                    found.clear()
            if _uses_transparency(page, objects):  # read before the marks' streams join the page's
                page["Group"] = _page_group(pdf)
            _draw_marks(pdf, page, trim, press.bleed)
            _add_colour_spaces(pdf, objects, page, registration)
        _reproducible_document_id(pdf, objects, press.document_id)

    return finish


def _grown(box: list[float], by: float) -> list[float]:
    left, bottom, right, top = box
    return [round(v, 4) for v in (left - by, bottom - by, right + by, top + by)]


def _registration_colour(pdf):
    """/Separation /All: the colour of printer's marks, printed on every separation at the tint."""
    tint = pydyf.Dictionary(
        {
            "FunctionType": 2,
            "Domain": pydyf.Array([0, 1]),
            "C0": pydyf.Array([0, 0, 0, 0]),
            "C1": pydyf.Array([1, 1, 1, 1]),
            "N": 1,
        }
    )
    pdf.add_object(tint)
    space = pydyf.Array(["/Separation", "/All", "/DeviceCMYK", tint.reference])
    pdf.add_object(space)
    return space.reference


def _add_colour_spaces(pdf, objects, page, registration) -> None:
    """DefaultRGB (sRGB) and the registration colour in the page's colour spaces. WeasyPrint shares one
    resource dictionary, and one ColorSpace dictionary, among every page and form, so this is done once."""
    resources = objects(page["Resources"])
    spaces = objects(resources.get("ColorSpace"))
    if spaces is None or isinstance(spaces, (bytes, str)):
        spaces = pydyf.Dictionary()
        resources["ColorSpace"] = spaces
    if "DefaultRGB" not in spaces:
        srgb = files("weasyprint.pdf").joinpath("sRGB2014.icc").read_bytes()
        profile = pydyf.Stream([srgb], pydyf.Dictionary({"N": 3, "Alternate": "/DeviceRGB"}), compress=True)
        pdf.add_object(profile)
        spaces["DefaultRGB"] = pydyf.Array(["/ICCBased", profile.reference])
        spaces[REGISTRATION] = registration


def _page_group(pdf):
    profile = pdf.catalog["OutputIntents"][0]["DestOutputProfile"]
    return pydyf.Dictionary(
        {"Type": "/Group", "S": "/Transparency", "CS": pydyf.Array(["/ICCBased", profile]), "I": "false", "K": "false"}
    )


def _uses_transparency(page, objects) -> bool:
    """Whether the page's stream, or a form it draws, sets a transparent graphics state or draws a
    soft-masked image or a transparency group. WeasyPrint shares one resource dictionary among all
    pages, so what a page uses is read from its stream (`/Name gs`, `/Name Do`), not its resources."""
    seen: set[int] = set()
    todo = [(objects(page["Contents"]), objects(page.get("Resources")))]
    while todo:
        stream, resources = todo.pop()
        if not isinstance(stream, pydyf.Stream) or stream.number in seen or not isinstance(resources, dict):
            continue
        seen.add(stream.number)
        own = objects(stream.extra.get("Resources")) if stream.extra else None
        resources = own if isinstance(own, dict) else resources
        states = objects(resources.get("ExtGState")) or {}
        xobjects = objects(resources.get("XObject")) or {}
        for item in stream.stream:
            text = item.decode(errors="ignore") if isinstance(item, bytes) else str(item)
            match = re.fullmatch(r"/(\S+) (gs|Do)", text.strip())
            if match is None:
                continue
            name, operator = match.groups()
            if operator == "gs" and _transparent_state(objects(states.get(name))):
                return True
            xobject = objects(xobjects.get(name)) if operator == "Do" else None
            if isinstance(xobject, pydyf.Stream):
                if "SMask" in xobject.extra or "Group" in xobject.extra:
                    return True
                if xobject.extra.get("Subtype") == "/Form":
                    todo.append((xobject, resources))
    return False


def _transparent_state(state) -> bool:
    if not isinstance(state, dict):
        return False
    alpha = [float(state.get(key, 1)) for key in ("ca", "CA")]
    return (
        min(alpha) < 1
        or state.get("SMask", "/None") != "/None"
        or state.get("BM", "/Normal")
        not in (
            "/Normal",
            "/Compatible",
        )
    )


def _draw_marks(pdf, page, trim: list[float], bleed: float) -> None:
    """The marks in a stream of their own after the page's, which is wrapped in q … Q first: WeasyPrint
    leaves its page transformation in force at the end of the page's stream."""
    left, bottom, right, top = trim
    near, far = bleed + GAP, bleed + GAP + LENGTH
    ops = [f"/{REGISTRATION} CS 1 SCN {LINE} w 0 J"]

    def line(x1, y1, x2, y2):
        ops.append(f"{x1:.3f} {y1:.3f} m {x2:.3f} {y2:.3f} l S")

    for x, dx in ((left, -1), (right, 1)):  # crop marks: the trim lines, carried out past the bleed
        for y, dy in ((bottom, -1), (top, 1)):
            line(x + dx * near, y, x + dx * far, y)
            line(x, y + dy * near, x, y + dy * far)
    middle = (near + far) / 2
    centre_x, centre_y = (left + right) / 2, (bottom + top) / 2
    for cx, cy in (
        (centre_x, top + middle),
        (centre_x, bottom - middle),
        (left - middle, centre_y),
        (right + middle, centre_y),
    ):
        _target(ops, cx, cy)
    marks = pydyf.Stream([" ".join(ops).encode()], compress=True)
    before = pydyf.Stream([b"q"], compress=False)
    after = pydyf.Stream([b"Q"], compress=False)
    for stream in (before, after, marks):
        pdf.add_object(stream)
    page["Contents"] = pydyf.Array([before.reference, page["Contents"], after.reference, marks.reference])


def _target(ops: list[str], cx: float, cy: float) -> None:
    """A registration target: a circle and a cross through its centre."""
    r, k, arm = TARGET, TARGET * KAPPA, LENGTH / 2
    ops.append(
        f"{cx + r:.3f} {cy:.3f} m "
        f"{cx + r:.3f} {cy + k:.3f} {cx + k:.3f} {cy + r:.3f} {cx:.3f} {cy + r:.3f} c "
        f"{cx - k:.3f} {cy + r:.3f} {cx - r:.3f} {cy + k:.3f} {cx - r:.3f} {cy:.3f} c "
        f"{cx - r:.3f} {cy - k:.3f} {cx - k:.3f} {cy - r:.3f} {cx:.3f} {cy - r:.3f} c "
        f"{cx + k:.3f} {cy - r:.3f} {cx + r:.3f} {cy - k:.3f} {cx + r:.3f} {cy:.3f} c S"
    )
    ops.append(f"{cx - arm:.3f} {cy:.3f} m {cx + arm:.3f} {cy:.3f} l S")
    ops.append(f"{cx:.3f} {cy - arm:.3f} m {cx:.3f} {cy + arm:.3f} l S")


def _reproducible_document_id(pdf, objects, document_id: str) -> None:
    """WeasyPrint's X-4 metadata has `xmp.did:` and a random UUID (pdf/metadata.py); same length here."""
    metadata = objects(pdf.catalog.get("Metadata"))
    if not isinstance(metadata, pydyf.Stream):
        return
    metadata.stream = [
        re.sub(rb"xmp\.did:[0-9a-f-]{36}", f"xmp.did:{document_id}".encode(), part) if isinstance(part, bytes) else part
        for part in metadata.stream
    ]

"""What WeasyPrint's tagged PDF leaves to be done for PDF/UA and for a reader copying text (issue 16).

WeasyPrint 70 tags the document but:
- gives the running heads and folios (the @page margin boxes) marked-content ids whose structure
  elements hang outside the structure tree, so checkers (outloud, PAG-001) and screen readers take
  them for content. Here they become /Artifact /Pagination, and the ids left are renumbered;
- makes a link annotation for every box inside a link, not one per link: a contents entry (a block
  link holding a label, the title and the ::after leader with the page number) had five, nested Link
  elements and annotations outside any Link element. Here each link keeps the annotation of its
  outermost box (grown to cover the others), a Link inside a Link becomes a Span, and every
  annotation gets the Print flag and the link's text as /Contents (WeasyPrint puts the target's id);
- draws the hyphen that hyphenation inserts as a plain hyphen, so copying "civiliza-" / "tion" gives
  the hyphen. Here that hyphen alone is wrapped in a Span whose /ActualText is the soft hyphen U+00AD
  (what the PDF reference asks for such a hyphen), which is invisible where it is pasted; a hyphen of
  the text (high-quality) is drawn as it is and stays a hyphen-minus.

The first two run as WeasyPrint's `finisher` on pydyf's objects before they are written; the third
marks hyphenated text boxes while WeasyPrint lays out and splits the hyphen off as it draws
(`marked_hyphens`). pyproject.toml bounds WeasyPrint and pydyf to the versions this was written for.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import pydyf

from .objects import Objects

HYPHENATED = "_pipeline_inserted_hyphen"  # set on a text box whose last glyph hyphenation inserted
PRINT_FLAG = 1 << 2  # annotation flag bit 3, "Print" (ISO 32000-1, table 165)
# What the hyphen hyphenation inserted stands for in copied text: the soft hyphen. "In Tagged PDF,
# such an incidental word division must be represented by a soft hyphen character [...] U+00AD"
# (PDF Reference 1.7, 10.7, Incidental Artifacts), distinct from the hard hyphen U+002D. It is invisible
# where the text is pasted, and a reader that joins the lines drops it: the word comes out whole.
SOFT_HYPHEN = "\u00ad"


def finish(document, pdf) -> None:
    """WeasyPrint's finisher: everything below, on the PDF's objects before they are written."""
    objects = Objects(pdf)
    _header_scope(pdf)
    root, nums, reachable = _structure(pdf, objects)
    _pagination_artifacts(pdf, objects, nums, reachable)
    _one_annotation_per_link(document, pdf, objects, nums)
    _spans_for_nested_links(root, objects, inside_link=False)


def _header_scope(pdf) -> None:
    """Give each table header cell /Scope /Column (our tables' headers are column headers, <th
    scope="col">). WeasyPrint links data cells to headers with /Headers and /IDs, which is enough for
    PDF/UA; the Scope helps readers and checkers that look at the header cells only."""
    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("S") == "/TH" and isinstance(obj.get("A"), dict):
            obj["A"]["Scope"] = "/Column"


def _structure(pdf, objects):
    """The structure tree root, the ParentTree's Nums array, and the numbers of the structure
    elements reachable from the root (WeasyPrint's margin-box elements are not)."""
    root = objects(pdf.catalog["StructTreeRoot"])
    nums = objects(root["ParentTree"])["Nums"]
    reachable: set[int] = set()
    stack = [root]
    while stack:
        element = stack.pop()
        for kid in element.get("K", ()):
            obj = objects(kid)
            if isinstance(obj, dict) and obj.get("Type") == "/StructElem" and obj.number not in reachable:
                reachable.add(obj.number)
                stack.append(obj)
    return root, nums, reachable


def _pagination_artifacts(pdf, objects, nums, reachable) -> None:
    """Running heads and folios as /Artifact /Pagination, out of the ParentTree."""
    for index, page_reference in enumerate(pdf.page_references):
        page = objects(page_reference)
        if nums[2 * index] != index:  # WeasyPrint writes one entry per page, in order
            raise AssertionError(f"unexpected ParentTree layout at page {index}")
        owners = nums[2 * index + 1]
        kept = [m for m, ref in enumerate(owners) if objects(ref).number in reachable]
        if len(kept) == len(owners):
            continue
        renumber = {old: new for new, old in enumerate(kept)}
        for stream in _page_streams(page, objects):
            items = stream.stream
            for i, item in enumerate(items):
                if isinstance(item, dict) and "MCID" in item and i + 1 < len(items) and items[i + 1] == b"BDC":
                    if item["MCID"] in renumber:
                        item["MCID"] = renumber[item["MCID"]]
                    else:
                        items[i - 1] = "/Artifact"
                        items[i] = pydyf.Dictionary({"Type": "/Pagination"})
        seen: set[int] = set()
        for old in kept:
            element = objects(owners[old])
            if element.number not in seen:
                seen.add(element.number)
                element["K"] = pydyf.Array(renumber.get(k, k) if isinstance(k, int) else k for k in element["K"])
        nums[2 * index + 1] = pydyf.Array(owners[old] for old in kept)


def _page_streams(page, objects):
    """The page's content stream and the form XObjects it draws (groups, where marked content of the
    page may sit too), each once. WeasyPrint shares one resource dictionary among all pages, so only
    the XObjects a stream invokes (`/Name Do`) are its own."""
    seen: set[int] = set()
    todo = [(objects(page["Contents"]), objects(page.get("Resources")))]
    while todo:
        stream, resources = todo.pop()
        if not isinstance(stream, pydyf.Stream) or stream.number in seen:
            continue
        seen.add(stream.number)
        yield stream
        own = objects(stream.extra.get("Resources")) if stream.extra else None
        resources = own if isinstance(own, dict) else resources
        xobjects = objects(resources.get("XObject")) if isinstance(resources, dict) else None
        if not isinstance(xobjects, dict):
            continue
        for item in stream.stream:
            text = item.decode(errors="ignore") if isinstance(item, bytes) else item
            match = re.fullmatch(r"/(\S+) Do", text) if isinstance(text, str) else None
            if match and match.group(1) in xobjects:
                xobject = objects(xobjects[match.group(1)])
                if isinstance(xobject, pydyf.Stream) and xobject.extra.get("Subtype") == "/Form":
                    todo.append((xobject, resources))


def _one_annotation_per_link(document, pdf, objects, nums) -> None:
    from weasyprint.layout.absolute import AbsolutePlaceholder

    parents = {nums[i]: objects(nums[i + 1]) for i in range(0, len(nums), 2) if not isinstance(nums[i + 1], list)}

    def walk(box, holder, page):
        if isinstance(box, AbsolutePlaceholder):
            box = box._box
        annotation = getattr(box, "link_annotation", None)
        if annotation is not None:
            if holder is not None and _target(holder) == _target(annotation):
                _cover(holder, annotation)
                _drop(annotation, page, parents, objects)
            else:
                holder = annotation
                annotation["F"] = PRINT_FLAG
                text = _link_text(box.element)
                if text:
                    annotation["Contents"] = pydyf.String(text)
        for child in getattr(box, "children", ()):
            walk(child, holder, page)

    for page_box, page_reference in zip(document.pages, pdf.page_references, strict=True):
        walk(page_box._page_box, None, objects(page_reference))
    # Drop the ParentTree entries of the annotations that went.
    live = {
        objects(ref).get("StructParent")
        for page_reference in pdf.page_references
        for ref in objects(page_reference).get("Annots", ())
    }
    kept = []
    for i in range(0, len(nums), 2):
        if isinstance(nums[i + 1], list) or nums[i] in live:
            kept.extend((nums[i], nums[i + 1]))
    nums[:] = kept


def _target(annotation):
    """Where a link annotation goes, comparable (pydyf's String objects compare as objects)."""
    target = annotation.get("Dest") or (annotation.get("A") or {}).get("URI")
    return getattr(target, "string", target)


def _cover(holder, annotation) -> None:
    """Grow the kept annotation's rectangle over the dropped one's, so every spot that linked still does."""
    a, b = holder["Rect"], annotation["Rect"]
    holder["Rect"] = pydyf.Array(
        [
            min(a[0], a[2], b[0], b[2]),
            min(a[1], a[3], b[1], b[3]),
            max(a[0], a[2], b[0], b[2]),
            max(a[1], a[3], b[1], b[3]),
        ]
    )


def _drop(annotation, page, parents, objects) -> None:
    annots = page["Annots"]
    annots[:] = [ref for ref in annots if ref != annotation.reference]
    element = parents.get(annotation.get("StructParent"))
    if element is not None:
        element["K"] = pydyf.Array(
            k
            for k in element["K"]
            if not (isinstance(objects(k), dict) and objects(k).get("Obj") == annotation.reference)
        )
    annotation.pop("StructParent", None)


def _spans_for_nested_links(element, objects, inside_link: bool) -> None:
    """A Link inside a Link becomes a Span; a Span left with nothing in it (a box of the link that
    drew no text) goes, as checkers flag an empty element (outloud TAG-020)."""
    kept = []
    for kid in element.get("K", ()):
        obj = objects(kid)
        if isinstance(obj, dict) and obj.get("Type") == "/StructElem":
            if obj.get("S") == "/Link" and inside_link:
                obj["S"] = "/Span"
            _spans_for_nested_links(obj, objects, inside_link or obj.get("S") == "/Link")
            if obj.get("S") == "/Span" and not obj.get("K") and "Alt" not in obj and "ActualText" not in obj:
                continue
        kept.append(kid)
    if "K" in element and len(kept) != len(element["K"]):
        element["K"] = pydyf.Array(kept)


def _link_text(element) -> str:
    """What a link says, for its annotation's /Contents: its aria-label, or its text."""
    if element is None:
        return ""
    label = element.get("aria-label")
    return " ".join((label if label else "".join(element.itertext())).split())


# --- the hyphen hyphenation inserts -----------------------------------------------------------------


@contextmanager
def marked_hyphens():
    """While WeasyPrint lays out and draws: mark the text boxes that end in a hyphen hyphenation added,
    and draw that hyphen inside `/Span <</ActualText (U+00AD)>> BDC … EMC`."""
    from weasyprint import draw
    from weasyprint.layout import inline

    split, draw_text = inline.split_text_box, draw.draw_text

    def split_text_box(context, box, *args, **kwargs):
        new_box, resume, line_break = split(context, box, *args, **kwargs)
        if new_box is not None and resume is not None:
            character = box.style["hyphenate_character"]
            skip = args[1] if len(args) > 1 else kwargs.get("skip", 0)
            rest = box.text.encode()[skip or 0 :].decode(errors="ignore")
            if new_box.text.endswith(character) and not rest.startswith(new_box.text):
                setattr(new_box, HYPHENATED, True)
        return new_box, resume, line_break

    def draw_marked(stream, textbox, *args, **kwargs):
        start = len(stream.stream)
        draw_text(stream, textbox, *args, **kwargs)
        if getattr(textbox, HYPHENATED, False) and textbox.style["direction"] == "ltr":
            _split_off_last_glyph(stream.stream, start)

    inline.split_text_box, draw.draw_text = split_text_box, draw_marked
    try:
        yield
    finally:
        inline.split_text_box, draw.draw_text = split, draw_text


# The element a citable paragraph's printed number stands in (partials/body.html `para_number`):
# `<data class="para-number">`, which the templates use for nothing else.
PARA_NUMBER_ELEMENT = "data"


@contextmanager
def labelled_numbers():
    """While WeasyPrint tags the PDF: a paragraph's printed number is its label (/Lbl), as a list
    item's marker is, not a NonStruct run of the paragraph's text; the tag is WeasyPrint's choice by
    element name (`weasyprint.pdf.tags._get_pdf_tag`)."""
    from weasyprint.pdf import tags

    get = tags._get_pdf_tag

    def get_pdf_tag(tag):
        return "Lbl" if tag == PARA_NUMBER_ELEMENT else get(tag)

    tags._get_pdf_tag = get_pdf_tag
    try:
        yield
    finally:
        tags._get_pdf_tag = get


LAST_GLYPH = re.compile(rb"^\[(?P<head>.*)<(?P<glyphs>[0-9a-f]*)>(?P<tail>[^<>]*)\] TJ$", re.DOTALL)


def _split_off_last_glyph(items: list, start: int) -> None:
    """`[<…0012>] TJ` → `[<…>] TJ /Span <</ActualText (U+00AD)>> BDC [<0012>] TJ EMC` on the last TJ."""
    for i in range(len(items) - 1, start - 1, -1):
        item = items[i]
        if isinstance(item, bytes) and item.endswith(b"] TJ"):
            match = LAST_GLYPH.match(item)
            if not match or len(match["glyphs"]) < 4 or len(match["glyphs"]) % 4:
                return
            glyphs = match["glyphs"]
            head = match["head"] + (b"<" + glyphs[:-4] + b">" if len(glyphs) > 4 else b"")
            replaced = [b"[" + head + b"] TJ"] if head else []
            replaced += [
                "/Span",
                pydyf.Dictionary({"ActualText": pydyf.String(SOFT_HYPHEN)}),
                b"BDC",
                b"[<" + glyphs[-4:] + b">" + match["tail"] + b"] TJ",
                b"EMC",
            ]
            items[i : i + 1] = replaced
            return

"""The parts' PDFs (parts.py) merged into one, with pikepdf (qpdf): to a reader and a checker, the PDF
the whole document laid out in one piece would have been.

- pages: each part's own, in order, copied with their resources (qpdf copies a foreign object once, so
  every reference to a page lands on its one copy);
- structure: one tree, the first part's Document element holding every part's elements in order; one
  ParentTree numbered as WeasyPrint numbers one (page i is key i, then the annotations), each page's
  /StructParents and each annotation's /StructParent to match, /ParentTreeNextKey after the last;
- links: WeasyPrint writes an internal link as a named destination (/Dest (name)), so links need no
  change; the name tree is made again, each name pointing where the part that holds the anchor put it
  (a part's stubs, laid out on pages that were dropped, never count);
- outline: every part's bookmarks, in order, under one root, with their levels and open state;
- fonts: one per face, the parts' subsets merged (fontmerge.py);
- everything else (XMP with the PDF/UA identification, /Lang, /MarkInfo, /ViewerPreferences, the
  document information, /ID) is the first part's, which WeasyPrint made as for the whole.

The first part's PDF is the base the others are added to. Saved deterministically: the same parts give
the same bytes.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence

import pikepdf

from . import fontmerge


def merge(pdfs: Sequence[bytes], owner: dict[str, int]) -> bytes:
    """One PDF from the parts' PDFs (in order); `owner[name]` is the part that holds anchor `name`."""
    parts = [pikepdf.open(io.BytesIO(data)) for data in pdfs]
    base = parts[0]
    root = base.Root.StructTreeRoot
    document = _document_element(root)
    trees = [_number_tree(root.ParentTree.Nums)]  # each part's ParentTree, its values copied into base
    outline = [_outline_items(base, base, part_index=0)]
    dests: dict[str, pikepdf.Object] = {name: dest for name, dest in _dests(base) if owner.get(name, 0) == 0}
    spans = [(0, len(base.pages))]
    for index, part in enumerate(parts[1:], 1):
        first = len(base.pages)
        with warnings.catch_warnings():
            # pikepdf warns that named destinations do not come with copied pages: they are made again
            # below, from every part.
            warnings.simplefilter("ignore", getattr(pikepdf, "PageCopyWarning", UserWarning))
            base.pages.extend(part.pages)
        spans.append((first, len(base.pages)))
        part_root = part.Root.StructTreeRoot
        # Copied with the pages already copied: qpdf maps a foreign object to its one copy.
        trees.append(_number_tree(_copy(base, part, part_root.ParentTree.Nums)))
        for kid in _copy(base, part, _document_element(part_root).K):
            kid.P = document
            document.K.append(kid)
        for name, dest in _dests(part):
            if owner.get(name) == index:
                dests[name] = _copy(base, part, dest)
        outline.append(_outline_items(base, part, part_index=index))
    _renumber_parents(base, root, trees, spans)
    fontmerge.merge_fonts(base, [[base.pages[i] for i in range(a, b)] for a, b in spans])
    _set_dests(base, dests)
    _set_outline(base, [item for items in outline for item in items])
    out = io.BytesIO()
    base.save(
        out,
        deterministic_id=True,
        compress_streams=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        fix_metadata_version=False,  # the XMP as WeasyPrint wrote it, byte for byte
    )
    return out.getvalue()


def _copy(base: pikepdf.Pdf, part: pikepdf.Pdf, obj: pikepdf.Object) -> pikepdf.Object:
    """`obj` of `part` copied into `base` (qpdf copies only indirect objects: a direct one is made
    indirect in the part first)."""
    if not obj.is_indirect:
        obj = part.make_indirect(obj)
    return base.copy_foreign(obj)


def _document_element(root) -> pikepdf.Object:
    kids = root.K
    if isinstance(kids, pikepdf.Array):
        if len(kids) != 1:
            raise ValueError("the structure tree root has more than one element")
        return kids[0]
    return kids


def _number_tree(nums) -> dict[int, pikepdf.Object]:
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}


def _renumber_parents(pdf: pikepdf.Pdf, root, trees: list[dict], spans: list[tuple[int, int]]) -> None:
    """One ParentTree numbered as WeasyPrint numbers one: the pages first (page i has key i), then the
    annotations, page by page; each page's /StructParents and annotation's /StructParent to match."""
    pages = [(tree, pdf.pages[i].obj) for tree, (a, b) in zip(trees, spans, strict=True) for i in range(a, b)]
    nums = pikepdf.Array()
    for key, (tree, page) in enumerate(pages):
        if "/StructParents" in page:
            nums.append(key)
            nums.append(tree[int(page.StructParents)])
            page.StructParents = key
    key = len(pages)
    for tree, page in pages:
        for annotation in page.get("/Annots", ()):
            if "/StructParent" in annotation:
                nums.append(key)
                nums.append(tree[int(annotation.StructParent)])
                annotation.StructParent = key
                key += 1
    root.ParentTree.Nums = nums
    root.ParentTreeNextKey = key


def _dests(pdf: pikepdf.Pdf):
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return []
    return [(name, dest) for name, dest in pikepdf.NameTree(names.Dests).items()]


def _set_dests(pdf: pikepdf.Pdf, dests: dict[str, pikepdf.Object]) -> None:
    if not dests:
        return
    flat = pikepdf.Array()
    for name in sorted(dests, key=lambda n: n.encode("utf-8")):  # a name tree is sorted by bytes
        flat.append(pikepdf.String(name))
        flat.append(dests[name])
    if "/Names" not in pdf.Root:
        pdf.Root.Names = pikepdf.Dictionary()
    pdf.Root.Names.Dests = pdf.make_indirect(pikepdf.Dictionary(Names=flat))


def _outline_items(base: pikepdf.Pdf, part: pikepdf.Pdf, part_index: int) -> list[dict]:
    """The part's bookmarks as plain trees: title, destination (copied into `base`), closed, children."""
    outlines = part.Root.get("/Outlines")
    if outlines is None or "/First" not in outlines:
        return []

    def walk(item) -> list[dict]:
        found = []
        while item is not None:
            dest = item.get("/Dest")
            found.append(
                {
                    "title": item.Title,
                    "dest": dest if part_index == 0 else _copy(base, part, dest),
                    "closed": int(item.get("/Count", 0)) < 0,
                    "children": walk(item.get("/First")),
                }
            )
            item = item.get("/Next")
        return found

    return walk(outlines.First)


def _set_outline(pdf: pikepdf.Pdf, items: list[dict]) -> None:
    """The outline as WeasyPrint writes it (pdf/anchors.py add_outlines), for the whole list."""
    if not items:
        return
    root = pdf.make_indirect(pikepdf.Dictionary())

    def build(entries: list[dict], parent) -> tuple[list, int]:
        made = []
        visible = len(entries)
        for entry in entries:
            outline = pdf.make_indirect(pikepdf.Dictionary(Title=entry["title"], Dest=entry["dest"], Parent=parent))
            children, count = build(entry["children"], outline)
            outline.Count = -count if entry["closed"] else count
            if not entry["closed"]:
                visible += count
            if made:
                outline.Prev = made[-1]
                made[-1].Next = outline
            if children:
                outline.First = children[0]
                outline.Last = children[-1]
            made.append(outline)
        return made, visible

    made, count = build(items, root)
    root.First = made[0]
    root.Last = made[-1]
    root.Count = count
    pdf.Root.Outlines = root

"""How to cite the paper, and one of its paragraphs: plain text, BibTeX and CSL-JSON (the web's "Cite this").

Made from the metadata alone, so every edition that shows a citation shows the same. A paragraph's
citation is the paper's with the paragraph's number as its locator ("para. II.3.4", CSL's
`"label": "paragraph"`) and its anchor on the address (pipeline/passages.py); the web page's script
fills that in for the paragraph a reader picks, from the data made here (`for_page`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from .model import Metadata

MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()
# BibTeX's special characters, as its own escapes (a title with "&" or "%" must not break the entry).
_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


@dataclass(frozen=True)
class Citation:
    plain: str
    bibtex: str
    csl: dict

    @property
    def csl_json(self) -> str:
        return json.dumps([self.csl], ensure_ascii=False)


def key(meta: Metadata) -> str:
    """A BibTeX key: the first three long words of the slug and the year ("construction-chinas-internet-2023")."""
    words = [w for w in re.split(r"[^a-z0-9]+", meta.slug.lower()) if len(w) > 3][:3] or ["paper"]
    return "-".join((*words, str(meta.released.year)))


def cite(meta: Metadata, url: str = "", number: str = "", anchor: str = "") -> Citation:
    """The citation of the paper, or of its paragraph `number` (with its `anchor`) if given.
    `url` is where the web edition is published; without it the identifier stands for the paper."""
    where = f"{url}#{anchor}" if url and anchor else url
    author = meta.creator
    parts = [f"{author}." if author else "", f"{meta.title}.", meta.subtitle and f"{meta.subtitle}."]
    imprint = ", ".join(filter(None, (meta.place, meta.date)))
    parts.append(f"{imprint}." if imprint else "")
    if number:
        parts.append(f"Para. {number}.")
    parts.append(where or meta.identifier)
    plain = " ".join(p for p in parts if p)

    fields = [("title", meta.title + (f": {meta.subtitle}" if meta.subtitle else ""))]
    if author:
        fields.append(("author", "{" + author + "}"))  # braced: an institution, not "Council, S. O."
    if meta.publisher and meta.publisher != author:
        fields.append(("publisher", meta.publisher))
    if meta.place:
        fields.append(("address", meta.place))
    fields.append(("year", str(meta.released.year)))
    fields.append(("month", MONTHS[meta.released.month - 1]))
    if where:
        fields.append(("url", where))
    if number:
        fields.append(("note", f"Para. {number}"))
    fields.append(("language", meta.language))
    lines = [f"@misc{{{key(meta)},"]
    for name, value in fields:
        text = _bibtex(value) if name not in ("url", "month") else value
        if name == "author":  # the outer braces are ours
            text = "{" + _bibtex(value[1:-1]) + "}"
        lines.append(f"  {name} = {{{text}}}," if name != "month" else f"  {name} = {text},")
    lines.append("}")

    csl: dict = {"id": key(meta), "type": "report", "title": meta.title}
    if author:
        csl["author"] = [{"literal": author}]
    if meta.publisher or author:
        csl["publisher"] = meta.publisher or author
    if meta.place:
        csl["publisher-place"] = meta.place
    csl["issued"] = {"date-parts": [[meta.released.year, meta.released.month, meta.released.day]]}
    csl["language"] = meta.language
    if where:
        csl["URL"] = where
    else:
        csl["note"] = meta.identifier
    if number:
        csl["locator"] = number
        csl["label"] = "paragraph"
    return Citation(plain=plain, bibtex="\n".join(lines), csl=csl)


def _bibtex(text: str) -> str:
    return "".join(_BIBTEX_ESCAPES.get(c, c) for c in text)

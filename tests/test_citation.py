"""The citation of the paper and of a paragraph (pipeline/citation.py): plain text, BibTeX, CSL-JSON."""

from __future__ import annotations

import datetime as dt
import json

from pipeline.citation import cite
from pipeline.model import Metadata

META = Metadata(
    title="Law & Order: 100% {Online}_Rules",
    language="en",
    identifier="urn:uuid:00000000-0000-4000-8000-000000000000",
    slug="law-and-order-online",
    date="March 2023",
    released=dt.date(2023, 3, 16),
    issuer="Information Office of the State Council",
    place="Beijing",
)


def test_the_papers_citation_without_an_address_names_its_identifier():
    c = cite(META)
    assert c.plain == (
        "Information Office of the State Council. Law & Order: 100% {Online}_Rules. Beijing, March 2023. "
        "urn:uuid:00000000-0000-4000-8000-000000000000"
    )
    assert "Para." not in c.plain and "url" not in c.bibtex
    assert json.loads(c.csl_json)[0]["note"] == META.identifier


def test_bibtex_escapes_its_special_characters_and_braces_the_institution():
    bibtex = cite(META, "https://example.org/paper/").bibtex
    assert bibtex.startswith("@misc{order-online-2023,\n")
    assert r"title = {Law \& Order: 100\% \{Online\}\_Rules}," in bibtex
    assert "author = {{Information Office of the State Council}}," in bibtex  # not "Council, I. O. o. t. S."
    assert "month = mar," in bibtex and "year = {2023}," in bibtex
    assert bibtex.count("{") - bibtex.count(r"\{") == bibtex.count("}") - bibtex.count(r"\}")


def test_a_paragraphs_citation_carries_its_number_and_anchor():
    c = cite(META, "https://example.org/paper/", "II.3.4", "p-ii-3-4")
    assert c.plain.endswith("Beijing, March 2023. Para. II.3.4. https://example.org/paper/#p-ii-3-4")
    assert "note = {Para. II.3.4}," in c.bibtex and "url = {https://example.org/paper/#p-ii-3-4}," in c.bibtex
    item = json.loads(c.csl_json)[0]
    assert item["locator"] == "II.3.4" and item["label"] == "paragraph"  # CSL's locator of a paragraph
    assert item["URL"] == "https://example.org/paper/#p-ii-3-4"
    assert item["author"] == [{"literal": "Information Office of the State Council"}]
    assert item["issued"] == {"date-parts": [[2023, 3, 16]]} and item["type"] == "report"

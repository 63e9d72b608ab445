"""The one walk of the model (pipeline/walk.py) reaches every node, checked against the model's own
dataclass fields: a node kind added to the model without a line in walk.CHILDREN, or a field of nodes
the walk forgets, fails here rather than going missing from some edition."""

from __future__ import annotations

import dataclasses

from conftest import SOURCE, write_rich_source
from pipeline import model
from pipeline.reader import read_source
from pipeline.walk import CHILDREN, located, query, walk


def _by_fields(node):
    """Every node inside `node`, found through its dataclass fields (no knowledge of the kinds)."""
    found = [node]
    for field in dataclasses.fields(node):
        if field.name == "meta":
            continue
        value = getattr(node, field.name)
        for item in _flatten(value):
            if dataclasses.is_dataclass(item) and hasattr(item, "kind") and not isinstance(item, model.Loc):
                found += _by_fields(item)
    return found


def _flatten(value):
    if isinstance(value, tuple):
        for item in value:
            yield from _flatten(item)
    else:
        yield value


def test_every_model_node_kind_has_its_children_written_down():
    kinds = {
        cls.kind
        for cls in vars(model).values()
        if isinstance(cls, type) and dataclasses.is_dataclass(cls) and isinstance(getattr(cls, "kind", None), str)
    }
    assert kinds == set(CHILDREN)


def test_the_walk_finds_what_the_fields_hold(tmp_path):
    for doc in (read_source(SOURCE), read_source(write_rich_source(tmp_path))):
        walked = list(walk(doc))
        assert sorted(map(id, walked)) == sorted(map(id, _by_fields(doc)))
        kinds = {node.kind for node in walked}
        assert {"section", "para", "text"} <= kinds


def test_reading_order_and_places(tmp_path):
    doc = read_source(write_rich_source(tmp_path))
    sections = list(query(doc, "section"))
    assert sections == list(doc.sections())  # headings in reading order
    for node, loc in located(doc):
        if node.kind != "document":
            assert loc is not None and loc.line >= 1, node
    # an inline's place is its paragraph's
    para = next(query(doc, "para"))
    assert all(loc == para.loc for node, loc in located(para))

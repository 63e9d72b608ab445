"""A tiny fifth edition, plain text, to show that an edition is a package and a registration, and
nothing else: no line of build.py, serve or the Makefile names it. It is downloadable, so the web
edition lists it among the downloads too.

It is registered either at run time (`registry.register(EDITION)`) or, as a distribution would, by an
entry point in the group `pipeline.editions` (tests/test_editions.py does both).
"""

from __future__ import annotations

import textwrap

from pipeline.render.edition import Edition
from pipeline.walk import walk


def outputs(meta) -> list[str]:
    return [f"{meta.slug}.txt"]


def render(doc, ctx) -> dict[str, bytes]:
    lines = [doc.meta.title.upper(), ""]
    for node in walk(doc):
        if node.kind == "section":
            lines += ["", node.heading_text, "=" * len(node.heading_text) if node.level == 1 else "", ""]
        elif node.kind == "para":
            lines += [*textwrap.wrap(_text(node), 72), ""]
    return {outputs(doc.meta)[0]: "\n".join(lines).encode("utf-8")}


def _text(para) -> str:
    return "".join(n.text for n in walk(para) if n.kind in ("text", "code"))


EDITION = Edition(
    name="text",
    label="Plain text",
    media_type="text/plain",
    outputs=outputs,
    render=render,
    downloadable=True,
)

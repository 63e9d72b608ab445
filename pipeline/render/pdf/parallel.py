"""The PDF laid out in parts (parts.py), each part on a core of its own, then merged (merge.py).

A part needs to know what the pages before it hold: where its first page falls, the pages of the
anchors in other parts its contents print, the named strings in force where it starts. All of them are
guessed, every part is laid out at once, and the guesses are checked against what the layout found:
a part laid out with a wrong guess is laid out again with the right values (another round, in
parallel too), until none is wrong. The guess is what the last build found (`GUESS_FILE` in the build
folder, written beside the PDF), which holds as long as the pages before a part do not change length.
Without it (a first build), the first round is a probe: every part laid out, not written (drawing and
the fonts are about a third of WeasyPrint's time), to find the values the second round uses.

So the common build lays out every page once; a first build lays out each part twice, the first time
without writing it; an edit that moves the pages after it lays those parts out again. A part
is never laid out with values it did not check, so the PDF is the same whatever the guesses were, and
whatever the number of cores (they only choose which part runs where).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ... import pagemap
from .. import Output
from . import PARTS_FILE, engine, merge, parthooks, parts
from .engine import PartOutput, PrintJob

GUESS_FILE = PARTS_FILE  # in the build folder, beside the PDF: the last build's findings
MAX_ROUNDS = 4  # then the whole document is laid out in one piece instead
CHARS_PER_PAGE = 2600  # of print HTML, for a first build's guess of where a part starts


@dataclass(frozen=True)
class PartJob:
    """One part's layout, as plain data for a worker process."""

    job: PrintJob
    stubs: dict[str, int]  # anchor in another part -> its (guessed) page
    sentinel: bool
    entries: dict[str, str]
    cost: int = 0  # laid out first where it costs most (parts.Chunk.cost)
    probe: bool = False  # laid out, not written: a first build's first round finds the values


def run_one(job: PrintJob | PartJob):
    """A worker's job: a part, or the whole document (one part, or a fallback)."""
    # Through the module: a test may stand in for either.
    if isinstance(job, PartJob):
        return engine.lay_out_part(job.job, job.stubs, job.sentinel, job.entries, job.probe)
    return engine.lay_out(job)


def sequential(jobs: Sequence[PrintJob | PartJob]) -> list:
    return [run_one(job) for job in jobs]


@dataclass(frozen=True)
class Guess:
    firsts: dict[str, int]  # a part's first id -> its first page
    anchors: dict[str, int]  # an anchor some part stubbed -> its page
    strings: dict[str, dict[str, str]]  # a part's first id -> the named strings at its start
    one_piece: str = ""  # parts.design_digest of a design whose parts did not lay out as the whole

    @classmethod
    def read(cls, data: bytes) -> Guess | None:
        try:
            found = json.loads(data)
            firsts = {str(k): int(v) for k, v in found["firsts"].items()}
            anchors = {str(k): int(v) for k, v in found["anchors"].items()}
            strings = {str(k): {str(n): str(t) for n, t in v.items()} for k, v in found["strings"].items()}
            return cls(firsts, anchors, strings, str(found.get("one_piece", "")))
        except (ValueError, TypeError, KeyError, AttributeError):
            return None

    def to_json(self) -> bytes:
        data = {"firsts": self.firsts, "anchors": self.anchors, "strings": self.strings}
        if self.one_piece:
            data["one_piece"] = self.one_piece
        return json.dumps(data, indent=0, sort_keys=True, ensure_ascii=False).encode() + b"\n"


EMPTY = Guess({}, {}, {})


def lay_out_in_parts(job: PrintJob, run: Callable[[list], list] = sequential) -> Output:
    """The PDF of `job`, laid out in parts by `run` (a list of jobs -> their outputs, in order: one
    after the other here, or in worker processes) and merged; laid out whole if it is one part."""
    size = parts.PART_SIZE if job.part_size is None else job.part_size
    plan = parts.plan(job, size) if size > 0 and job.press is None and parthooks.available() else None
    if plan is None:
        return _with_guess(run([job])[0], EMPTY)
    guess = Guess.read(job.last_parts)
    design = parts.design_digest(job, plan)
    if guess is not None and guess.one_piece == design:  # the last build found this design one piece
        return _with_guess(run([job])[0], guess)
    # Without the last build's findings, the first round lays out without writing, to find them.
    probe = guess is None or not guess.firsts
    guess = guess or EMPTY
    n = len(plan.bounds)
    keys = [_key(plan, k) for k in range(n)]
    estimate = _estimate(plan)
    firsts = [guess.firsts.get(keys[k], estimate[k]) if k else 1 for k in range(n)]
    anchors = {name: guess.anchors.get(name, firsts[plan.owner[name]]) for name in plan.owner}
    entries = [guess.strings.get(keys[k], {}) if k else {} for k in range(n)]
    outs: list[PartOutput | None] = [None] * n
    made: list[parts.Part | None] = [None] * n
    used_entries: list[dict[str, str]] = [{}] * n
    todo = list(range(n))
    for _ in range(MAX_ROUNDS):
        laid = {k: plan.part(job, k, firsts[k], anchors) for k in todo}
        try:
            results = run(
                [PartJob(laid[k].job, laid[k].stubs, laid[k].sentinel, entries[k], laid[k].cost, probe) for k in todo]
            )
        except engine.PartNotAsPlanned:  # a template that moved the stubs or the sentinel: one piece
            return _with_guess(run([job])[0], Guess({}, {}, {}, design))
        for k, result in zip(todo, results, strict=True):
            outs[k], made[k], used_entries[k] = result, laid[k], entries[k]
        # What the layout found: where each part starts, where each anchor lies, the strings carried.
        firsts = [1]
        for out in outs[:-1]:
            firsts.append(firsts[-1] + out.pages)
        for name, k in plan.owner.items():
            if name in outs[k].anchors:
                anchors[name] = firsts[k] + outs[k].anchors[name] - 1
        entries = [{}]
        for out in outs[:-1]:
            entries.append({**entries[-1], **out.strings})
        if any(out.pages % 2 for out in outs[:-1]):
            break  # a part ends on a recto (see below)
        todo = [
            k
            for k in range(n)
            if probe or not _right(made[k], outs[k], used_entries[k], firsts[k], anchors, entries[k])
        ]
        probe = False
        if not todo:
            break
    if todo:
        # The guesses did not settle (a contents whose length depends on its numbers), or a part ended
        # on a recto: then the next one would open on a verso in the whole document (a template whose
        # chapters do not open on rectos), which a part laid out alone cannot. One piece, then; and
        # at once in the next build of this design.
        return _with_guess(run([job])[0], Guess({}, {}, {}, design))
    pdf = merge.merge([out.pdf for out in outs], plan.owner)
    starts = tuple((s, i, p + firsts[k] - 1) for k, out in enumerate(outs) for s, i, p in out.starts)
    pages = firsts[-1] + outs[-1].pages - 1
    page_map = pagemap.with_pdf(pagemap.PageMap(starts, pages), job.filename, pdf)
    stubbed = {name for part in made for name in part.stubs}
    found = Guess(
        {keys[k]: firsts[k] for k in range(1, n)},
        {name: anchors[name] for name in sorted(stubbed)},
        {keys[k]: entries[k] for k in range(1, n)},
    )
    notices = tuple(dict.fromkeys(notice for out in outs for notice in out.notices))
    files = {job.filename: pdf, pagemap.FILE: page_map.to_json(), GUESS_FILE: found.to_json()}
    return Output(files, pages=pages, notices=notices, page_map=page_map)


def _right(part, out: PartOutput, entries_used, first: int, anchors: dict[str, int], entries: dict) -> bool:
    """Whether the part was laid out with the values the layout found: its first page, the pages of the
    stubs a target-counter() read, and the strings in force at its start."""
    if part.first_page != first or entries_used != entries:
        return False
    return all(part.stubs[name] == anchors[name] for name in part.stubs if name in out.looked_up)


def _key(plan: parts.Plan, k: int) -> str:
    """A part's name in the guess file: the first id in it (a chapter's section id)."""
    first, last = plan.bounds[k]
    ids = [i for chunk in plan.skeleton.chunks[first:last] for i in chunk.ids]
    return ids[0] if ids else f"part-{k}"


def _estimate(plan: parts.Plan) -> list[int]:
    """A first build's guess of each part's first page, from the length of the text before it; odd, as a
    chapter opens on a recto."""
    chunks = plan.skeleton.chunks
    found = []
    for first, _ in plan.bounds:
        before = sum(c.end - c.start for c in chunks[:first])
        page = 1 + round(before / CHARS_PER_PAGE)
        found.append(page if page % 2 else page + 1)
    return found


def _with_guess(output: Output, guess: Guess) -> Output:
    if output.page_map is None:  # the press PDF
        return output
    return Output({**output.files, GUESS_FILE: guess.to_json()}, output.pages, output.notices, output.page_map)

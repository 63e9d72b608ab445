"""Problems found in the source, reported all at once as `path:line: message`."""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class SourceError(Exception):
    """The source (or a template) has problems; each is a Diagnostic. Never shown as a traceback."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = sorted(set(diagnostics), key=_order(diagnostics))
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    def __reduce__(self):
        # Rebuilt from its diagnostics when it crosses from a child process (the parallel PDF).
        return (SourceError, (self.diagnostics,))


def _order(diagnostics):
    # Keep the order problems were found in (files in contents order), lines ascending within a file.
    first_seen: dict[str, int] = {}
    for d in diagnostics:
        first_seen.setdefault(d.path, len(first_seen))
    return lambda d: (first_seen[d.path], d.line, d.message)


class Collector:
    """Gathers diagnostics while reading, so one run reports every problem."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def add(self, path, line: int, message: str) -> None:
        self.items.append(Diagnostic(str(path), max(int(line), 1), message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise SourceError(self.items)


def shown(value: object, limit: int = 80) -> str:
    """A value as a message quotes it: a short repr, at most `limit` characters.

    A message must never carry a value as large as the input can make it (an expanded YAML alias, a
    megabyte key): reprlib stops at a few levels and items, so the work is bounded too.
    """
    short = reprlib.Repr()
    short.maxlevel, short.maxlist, short.maxtuple, short.maxdict, short.maxset = 3, 4, 4, 4, 4
    short.maxstring = short.maxother = limit
    text = short.repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def did_you_mean(name: str, known: Sequence[str], listing: str, limit: int = 40) -> str:
    """The tail of an "unknown name" message: the nearest known name, else all of them (`listing`
    names them: "keys", "settings"). Only the first `limit` characters are compared: names are short,
    and difflib's time grows with the length."""
    hint = difflib.get_close_matches(name[:limit], known, n=1)
    return f"; did you mean '{hint[0]}'?" if hint else f"; known {listing}: {', '.join(known)}"

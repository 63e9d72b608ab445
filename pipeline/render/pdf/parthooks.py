"""What a part laid out alone (parts.py) must take from the pages before it and tell the parts after it,
through WeasyPrint's layout internals (pinned in pyproject.toml; `available()` says whether they are
as this was written for, else the whole document is laid out in one piece):

- the named strings (`string-set`) in force where the part starts, such as the book's title the cover
  sets and every verso's running head shows: where WeasyPrint finds no assignment on a page or before
  it in the part, the entry value is used, as the whole document would have carried it on;
- the strings in force where the part ends, for the parts after it;
- the page of an anchor in another part (its stub lies on a page of its own): what a
  `target-counter(…, page)` of it reads;
- the anchors whose page a `target-counter()` read (the contents' page numbers), whose guessed page
  must be right, where a link's stub may have any.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

try:
    from weasyprint.css import targets as wp_targets
    from weasyprint.layout import LayoutContext
except ImportError:  # moved: parts are not used
    wp_targets = LayoutContext = None


def available() -> bool:
    return (
        LayoutContext is not None
        and callable(getattr(LayoutContext, "get_string_set_for", None))
        and callable(getattr(getattr(wp_targets, "TargetCollector", None), "lookup_target", None))
        and callable(getattr(getattr(wp_targets, "TargetCollector", None), "cache_target_page_counters", None))
    )


@dataclass
class Seen:
    """What one part's layout read and left."""

    looked_up: set[str] = field(default_factory=set)  # anchors read by target-counter() / target-text()
    contexts: list = field(default_factory=list)
    collectors: list = field(default_factory=list)


@contextmanager
def carried(entries: dict[str, str], stubs: dict[str, int]):
    """While a part lays out: `entries` are the named strings in force at its start, `stubs` the page
    number of each anchor stubbed (in another part); yields a Seen."""
    seen = Seen()
    cls, collector = LayoutContext, wp_targets.TargetCollector
    init, get_string, lookup = cls.__init__, cls.get_string_set_for, collector.lookup_target
    cache = collector.cache_target_page_counters
    looked_items: set[int] = set()

    def context_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        seen.contexts.append(self)

    def get_string_set_for(self, page, name, keyword="first"):
        found = get_string(self, page, name, keyword)
        if found or name not in entries or keyword == "all-once":
            return found
        if keyword == "first-except" and self.current_page in self.string_set[name]:
            return found  # assigned on this page: first-except shows nothing, as WeasyPrint does
        return (entries[name],)

    def lookup_target(self, anchor_token, source_box, css_token, parse_again):
        item = lookup(self, anchor_token, source_box, css_token, parse_again)
        looked_items.add(id(item))
        if not seen.collectors or seen.collectors[-1] is not self:
            seen.collectors.append(self)
        return item

    def cache_target_page_counters(self, anchor_name, page_counter_values, *args, **kwargs):
        if anchor_name in stubs:  # where the anchor really lies, not the stub page
            page_counter_values = {**page_counter_values, "page": [stubs[anchor_name]]}
        return cache(self, anchor_name, page_counter_values, *args, **kwargs)

    cls.__init__, cls.get_string_set_for = context_init, get_string_set_for
    collector.lookup_target, collector.cache_target_page_counters = lookup_target, cache_target_page_counters
    try:
        yield seen
    finally:
        cls.__init__, cls.get_string_set_for = init, get_string
        collector.lookup_target, collector.cache_target_page_counters = lookup, cache
        for target_collector in seen.collectors:
            for name, item in target_collector.target_lookup_items.items():
                if id(item) in looked_items:
                    seen.looked_up.add(name)


def own_strings(seen: Seen, lead: int, pages: int) -> dict[str, str]:
    """The last value the part's own `pages` (after the `lead` pages before them) assign to each named
    string (the last layout's context): what it hands on, whatever it was handed."""
    strings: dict[str, str] = {}
    if not seen.contexts:
        return strings
    for name, by_page in seen.contexts[-1].string_set.items():
        own = [page for page in by_page if lead < page <= lead + pages and by_page[page]]
        if own:
            strings[name] = by_page[max(own)][-1]
    return strings

"""SOURCE_DATE_EPOCH (reproducible-builds.org): when set, the editions' timestamp."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import replace

from .errors import Diagnostic, SourceError
from .model import Document


def with_source_date_epoch(doc: Document) -> Document:
    """Honour SOURCE_DATE_EPOCH as the editions' timestamp, if set."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return doc
    # The specification: "a UNIX timestamp ... a non-negative integer" (digits only, no sign, no
    # fraction); a zip entry cannot hold a time before 1980 either, so those are refused too.
    try:
        if not (value.isascii() and value.isdigit()):
            raise ValueError(value)
        stamp = dt.datetime.fromtimestamp(int(value), dt.UTC)
        if stamp.year < 1980 or stamp.year > 2107:
            raise ValueError(value)
    except (ValueError, OverflowError, OSError):
        raise SourceError(
            [
                Diagnostic(
                    "SOURCE_DATE_EPOCH",
                    1,
                    f"must be whole seconds since 1970 (from 1980 to 2107, as zip files can hold), not {value!r}",
                )
            ]
        ) from None
    return replace(doc, meta=replace(doc.meta, modified=stamp))

"""pydyf's objects by reference, for the finishers that edit the PDF before it is written
(tagging.py for the reading PDF, pressmarks.py for the press PDF)."""

from __future__ import annotations

import re

REFERENCE = re.compile(r"(\d+) 0 R")


class Objects:
    """pydyf's objects by reference (b"12 0 R"): `pdf.objects` is indexed by object number."""

    def __init__(self, pdf) -> None:
        self.pdf = pdf

    def __call__(self, reference):
        if isinstance(reference, (bytes, str)):
            text = reference.decode() if isinstance(reference, bytes) else reference
            match = REFERENCE.fullmatch(text)
            if match:
                return self.pdf.objects[int(match.group(1))]
        return reference

"""Where the built-in templates are: the one place that works out the path (the template search
path and the theme's defaults both start from it)."""

from __future__ import annotations

from pathlib import Path

BUILTIN = Path(__file__).resolve().parent.parent / "templates"

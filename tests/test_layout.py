"""The package's layout holds, read from the imports (ast): no edition imports another, and nothing
outside `pipeline/render/` reaches into an edition (the build asks the registry for `Edition`s)."""

from __future__ import annotations

import ast
from pathlib import Path

from pipeline.render import registry

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"
EDITIONS = set(registry.PACKAGES)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """Every module `path` imports, absolute, including `from x import y` as x.y (y may be a module)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def edition_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[:2] == ["pipeline", "render"] and len(parts) > 2 and parts[2] in EDITIONS:
        return parts[2]
    return None


def modules():
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_the_reader_of_imports_sees_relative_ones():
    assert "pipeline.walk" in imported(PACKAGE / "render" / "pdf" / "glyphs.py")
    assert "pipeline.render.pdf.engine" in imported(PACKAGE / "render" / "pdf" / "glyphs.py")


def test_no_edition_imports_another():
    crossing = []
    for path in modules():
        own = edition_of(module_name(path))
        if own is None:
            continue
        for target in imported(path):
            other = edition_of(target)
            if other is not None and other != own:
                crossing.append(f"{path.relative_to(PACKAGE.parent)} imports {target}")
    assert crossing == []


def test_nothing_outside_the_editions_imports_one():
    reaching = []
    for path in modules():
        if edition_of(module_name(path)) is not None:
            continue
        for target in imported(path):
            if edition_of(target) is not None:
                reaching.append(f"{path.relative_to(PACKAGE.parent)} imports {target}")
    assert reaching == []

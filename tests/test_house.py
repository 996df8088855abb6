"""The house rules a newcomer relies on, checked: every public function of the reader says what
it does, no module of the reader reaches into another's private names."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "digitizer"
TOOLS = ROOT / "digitizer_tools"  # the sample generators and the benchmark: not the installed reader


def _reader_modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _public_functions(tree: ast.Module, prefix: str = ""):
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_"):
            yield prefix + node.name, node
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            yield from _public_functions(node, f"{prefix}{node.name}.")  # type: ignore[arg-type]


def test_every_public_function_of_the_reader_has_a_docstring():
    missing = [f"{path.relative_to(ROOT)}: {name}" for path in _reader_modules()
               for name, node in _public_functions(ast.parse(path.read_text(encoding="utf-8")))
               if ast.get_docstring(node) is None]
    assert not missing, missing


def test_no_module_imports_another_modules_private_names():
    reaching = []
    for path in sorted(PACKAGE.rglob("*.py")) + sorted(TOOLS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                reaching += [f"{path.relative_to(ROOT)}: {node.module}.{a.name}" for a in node.names
                             if a.name.startswith("_") and not a.name.startswith("__")]
    assert not reaching, reaching


def test_the_development_tools_are_not_part_of_the_installed_package():
    """The wheel holds the reader only: no module of it imports the sample generators or the
    benchmark, which live beside it in digitizer_tools/."""
    importing = [f"{path.relative_to(ROOT)}: {node.module}" for path in _reader_modules()
                 for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                 if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("digitizer_tools")]
    assert not importing and not (PACKAGE / "synth").exists() and not (PACKAGE / "bench.py").exists(), importing

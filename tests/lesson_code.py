"""Functions as the committed lessons write them, for the tests that compare the package's copies,
the studies' copies and the exercises' checks with the lessons."""

from __future__ import annotations

import ast
import json

import keras
import numpy as np
from keras import layers

from .conftest import REPO


def lesson_functions(notebook: str, *names: str) -> dict:
    """The ``def``s called ``names`` in the code cells of ``notebooks/<notebook>``, compiled together
    (nothing else of their cells runs) into one namespace that holds only ``keras``, ``layers`` and
    ``np``, as a student copying those cells into a fresh notebook would have; one def may call
    another. Returns that namespace. Raises AssertionError when a name is not defined there."""
    cells = json.loads((REPO / "notebooks" / notebook).read_text(encoding="utf-8"))["cells"]
    found = {}
    for cell in cells:
        source = "".join(cell["source"]) if cell["cell_type"] == "code" else ""
        if not any(f"def {name}(" in source for name in names):
            continue
        tree = ast.parse("\n".join(line for line in source.splitlines() if not line.lstrip().startswith("%")))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name in names:
                found.setdefault(node.name, node)
    missing = [name for name in names if name not in found]
    assert not missing, f"{notebook} defines no {', '.join(missing)}()"
    namespace = {"keras": keras, "layers": layers, "np": np}
    exec(compile(ast.Module(body=list(found.values()), type_ignores=[]), notebook, "exec"),  # noqa: S102
         namespace)  # (the lesson's own defs, compiled alone)
    return namespace

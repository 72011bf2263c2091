"""Results of the replicated studies behind the lessons' conclusions (package data).

Each ``<name>.json`` here is written by the script its ``command`` names, most by ``benchmarks/studies.py`` (which says how each study was
run): every run (variant, seed, training and validation accuracy, seconds), the per-variant means
with 95% intervals, and the differences by :func:`cifar_tutorial.metrics.paired_difference`, with
the machine, versions, date and command. Lessons read them with :func:`load` and show them beside
their own single run (introduced in lesson 02).
"""

from __future__ import annotations

import json
from importlib import resources


def names() -> list[str]:
    """The studies whose results ship with the package."""
    return sorted(p.name.removesuffix(".json") for p in resources.files(__name__).iterdir()
                  if p.name.endswith(".json"))


def load(name: str) -> dict:
    """The results of study ``name`` (e.g. ``"regularization"``), as ``benchmarks/studies.py`` wrote them.

    Raises:
        FileNotFoundError: no such study; the message lists those there are.
    """
    path = resources.files(__name__) / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"No study {name!r}; the package has: {', '.join(names()) or 'none'}.")
    return json.loads(path.read_text(encoding="utf-8"))

"""Development script: renumber lessons, for when a lesson is split or inserted.

    python tools/renumber_lessons.py 05=06 06=07 07=08 08=09 09=10

Each ``OLD=NEW`` pair renames ``notebooks/OLD_*.ipynb`` and its solutions notebook to ``NEW_*``
(``git mv``) and rewrites every reference to lesson OLD in the tracked text files: "lesson 05",
"lessons 04 and 05", "(05)" in the glossary, "05_best" and other ``05_`` names, ``check_05_``,
``#lesson-05``, ``"05"`` keys, "exercise 05.1". All pairs are applied in one pass, so 05=06 and
06=07 do not chain. In notebooks only the cells' sources change: re-execute the renumbered
lessons afterwards, since outputs may print a name. The CHANGELOG (history) and the stored
benchmark results are left as they are; so is every number that is not in one of those
contexts (decimals, dates, exponents), which is why the pattern is narrow.

What a split needs beyond this (a new notebook, which half a reference means) is left to the
author: the script prints each file it changed, to be read through.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
SKIP = ("CHANGELOG.md", "benchmarks/results/", "tools/renumber_lessons.py", "ARCHITECTURE.md")  # history, data, examples
# A two-digit lesson number: not part of a longer number, a decimal, a date or an exponent.
NUMBER = r"(?<![\d.:eE\-])(\d\d)(?!\d)"
CONTEXTS = [
    re.compile(r"(?<=[Ll]esson\s)" + NUMBER),
    re.compile(r"(?<=[Ll]essons\s)" + NUMBER),
    re.compile(r"(?<=[Ll]esson-)(\d\d)(?!\d)"),           # #lesson-05 anchors (NUMBER refuses a "-" before)
    re.compile(r"(?<=[Ee]xercise )" + NUMBER + r"(?=\.\d)"),
    re.compile(r"(?<=[Ee]xercises )" + NUMBER + r"(?=\.\d)"),
    re.compile(r"(?<![\w.\-])(\d\d)(?=_[a-z])"),        # 06_best, 06_training_recipes
    re.compile(r"(?:(?<=\()|(?<=and ))(\d\d)(?='s\b)"),   # "(06's and 09's saved models)"
    re.compile(r"(?<=check_)(\d\d)(?=_)"),              # check_06_quiz
    re.compile(r"(?<=_lesson_)(\d\d)(?=s?[_(])"),        # test_lesson_06_...
    re.compile(r"(?<=[\"'])(\d\d)(?=[\"'])"),            # "06" keys and arguments (not in .json files)
    re.compile(r"(?<=\*\* \()(\d\d)(?=[,)])"),           # glossary: **Term** (06)
    re.compile(r"(?<=\*\* \(\d\d, )(\d\d)(?=[,)])"),     # glossary: **Term** (00, 06)
    re.compile(r"(?<=%2F)(\d\d)(?=_)"),                  # Binder links
    re.compile(r"(?<=\[)(\d\d)(?= [A-Z])"),              # README rows: [06 Training recipes]
]
# "lessons 05 and 06", "lessons 03 to 06", "lessons 05, 06 and 07": numbers after the first.
LIST = re.compile(r"([Ll]essons?\s\d\d(?:(?:, | and | to | or )\d\d)+)")
LIST_NUMBER = re.compile(r"(?:(?<=, )|(?<=nd )|(?<=to )|(?<=or ))(\d\d)(?!\d)")


JSON_LESSON = re.compile(r'(?<="lesson": ")(\d\d)(?=")')  # a study's "lesson" field
JSON_CONTEXTS = [JSON_LESSON, CONTEXTS[0], CONTEXTS[1]]  # and "lesson 06" in its texts; numbers elsewhere are data


def renumber_text(text: str, mapping: dict[str, str], json: bool = False) -> str:
    """``text`` with every lesson number in ``mapping`` replaced, all in one pass; in a JSON file
    (``json``), only the ``"lesson"`` fields and "lesson(s) NN" in its texts (a study's question)."""
    spans = {}
    for pattern in JSON_CONTEXTS if json else CONTEXTS:
        for match in pattern.finditer(text):
            if match.group(1) in mapping:
                spans[match.start(1)] = match.group(1)
    for listed in LIST.finditer(text):
        for match in LIST_NUMBER.finditer(listed.group(1)):
            if match.group(1) in mapping:
                spans[listed.start(1) + match.start(1)] = match.group(1)
    pieces, last = [], 0
    for start in sorted(spans):
        pieces += [text[last:start], mapping[spans[start]]]
        last = start + 2
    return "".join(pieces) + text[last:]


def renumber_file(path: Path, mapping: dict[str, str]) -> bool:
    """Rewrite ``path`` in place; True if it changed. Notebooks: cell sources only."""
    if path.suffix == ".ipynb":
        nb = nbformat.read(path, as_version=4)
        changed = False
        for cell in nb.cells:
            new = renumber_text(cell.source, mapping)
            changed |= new != cell.source
            cell.source = new
        if changed:
            nbformat.write(nb, path)
        return changed
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return False
    new = renumber_text(text, mapping, json=path.suffix == ".json")
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def main(pairs: list[str]) -> int:
    mapping = dict(pair.split("=") for pair in pairs)
    if not mapping or not all(re.fullmatch(r"\d\d", k) and re.fullmatch(r"\d\d", v) for k, v in mapping.items()):
        print(__doc__)
        return 2
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    for name in tracked:
        if not name.startswith(SKIP) and not name.endswith((".png", ".jsonl")) and renumber_file(REPO / name, mapping):
            print(f"rewrote {name}")
    for old in sorted(mapping, reverse=True):  # highest first, so that no rename lands on a file still to move
        for folder, suffix in (("notebooks", ".ipynb"), ("notebooks/solutions", "_solutions.ipynb")):
            for path in sorted((REPO / folder).glob(f"{old}_*{suffix}")):
                target = path.with_name(mapping[old] + path.name[2:])
                subprocess.run(["git", "mv", str(path), str(target)], cwd=REPO, check=True)
                print(f"renamed {path.relative_to(REPO)} -> {target.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

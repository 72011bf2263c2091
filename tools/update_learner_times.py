"""Development script: write each lesson's "Learner time" line (the end of its first cell) from
the lesson's own length, so that the estimate is computed, not typed.

    python tools/update_learner_times.py notebooks/[01]*.ipynb

It also writes the same minutes into the README's lesson table ("about N min"), which a test
(``test_release``) keeps equal to the lessons' lines.

The estimate: prose at 120 words a minute, code at 15 lines a minute, the seconds of training
and computing the notebook's execution metadata recorded
(:func:`cifar_tutorial.tools.runner.cell_seconds`), and 10, 15 and 30 minutes for the easy,
medium and open exercise and a minute per quiz question; rounded to 5 minutes. The open exercise is the lesson's
homework (its "Homework" section), so its 30 minutes are given apart from the minutes in class; the
prose after "## Exercises" is not counted as reading, since the exercise minutes include reading them.
Printed output (20 lines a minute) and figures (a minute each) are counted too: without them, seven
of the eight no-context reads of 2026-12-07 put a lesson's in-class part 5 to 10 minutes above the
estimate; with them, the estimates came within 10 minutes of every one of those reads. The exercise minutes are what
the no-context student reads of lessons 08, 10 and 11 (2026-12-06) estimated, about 10, 10-15 and
30 or more (earlier assumptions, 5, 10 and 20, fell short of every read's total); reading rates
are the script's assumptions. None is a measurement with a class (the line says so). Only the first
cell's source changes; outputs are untouched, so the lesson need not be re-executed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

from cifar_tutorial.tools.runner import cell_seconds

PREREQUISITES = {"00": "none: Python and NumPy basics", "01": "lesson 00", "02": "lessons 00 and 01", "03": "lesson 02",
                 "04": "lesson 03", "05": "lesson 04", "06": "lesson 05", "07": "lessons 05 and 06",
                 "08": "lessons 05 and 07 (their saved models)", "09": "lessons 03 to 06", "10": "lessons 06 to 09", "11": "lessons 07 to 10 (07's and 10's saved models)"}
EXERCISE_MINUTES = {"Easy": 10, "Medium": 15, "Open": 30}  # the student reads' estimates
QUIZ_MINUTES_PER_QUESTION = 1  # an assumption: the reads estimated about 5 minutes for quizzes of 2 to 5 questions
OUTPUT_LINES_PER_MINUTE = 20  # reading printed results against the prose; an assumption (see the docstring)
MINUTES_PER_FIGURE = 1
LINE = re.compile(r"\n\n\*\*Learner time:\*\*.*$", re.DOTALL)


def stored_output_size(nb) -> tuple[int, int]:
    """The lines of text and the number of figures in ``nb``'s stored code-cell outputs."""
    lines = figures = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = output.get("data", {})
            if output.get("output_type") == "stream":
                lines += len(output.get("text", "").splitlines())
            elif any(kind.startswith("image/") for kind in data):
                figures += 1
            elif "text/plain" in data:
                lines += len(data["text/plain"].splitlines())
    return lines, figures


def learner_time_line(path: Path) -> str:
    """The "Learner time" and "Prerequisites" line for the lesson at ``path``: the minutes in class
    (reading and running the cells, the easy and medium exercises and the quiz) and the homework's
    (the open exercise, in the lesson's "Homework" section)."""
    nb = nbformat.read(path, as_version=4)
    markdown = "\n\n".join(LINE.sub("", c.source) for c in nb.cells if c.cell_type == "markdown")
    lesson, _, exercise_text = markdown.partition("## Exercises")  # exercises: read in their own minutes
    words = len(re.findall(r"\w+", lesson))
    code = sum(len(c.source.splitlines()) for c in nb.cells if c.cell_type == "code")
    levels = re.findall(r"\*\*(Easy|Medium|Open|Quiz)\.\*\*", exercise_text)
    in_class = [k for k in levels if k != "Open"]
    quiz_cell = next((c.source for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("**Quiz.**")), "")
    questions = len(re.findall(r"^\d+\. ", quiz_cell, re.MULTILINE))
    exercises = sum(EXERCISE_MINUTES[k] for k in in_class if k != "Quiz") + questions * QUIZ_MINUTES_PER_QUESTION
    homework = sum(EXERCISE_MINUTES[k] for k in levels if k == "Open")
    tasks = [k.lower() for k in in_class if k != "Quiz"]
    if len(tasks) == 2 and tasks[0] == tasks[1]:
        named = f"{EXERCISE_MINUTES[tasks[0].title()]} for each of the two {tasks[0]} exercises"
    else:
        named = " and ".join(f"{EXERCISE_MINUTES[k.title()]} for the {k}" for k in tasks) + \
            (" exercise" if len(tasks) == 1 else " exercises" if tasks else "")
    named += f", {questions * QUIZ_MINUTES_PER_QUESTION} for the quiz's {questions} questions" if questions else ""
    run_minutes = sum(row["seconds"] for row in cell_seconds(path)) / 60
    output_lines, figures = stored_output_size(nb)
    teaching = words / 120 + code / 15 + output_lines / OUTPUT_LINES_PER_MINUTE + figures * MINUTES_PER_FIGURE + run_minutes
    total = 5 * round((teaching + exercises) / 5)
    return (f"**Learner time:** about {total} minutes in class: about {5 * max(1, round(teaching / 5))} of reading "
            f"and running the cells and {exercises} of exercises ({named}); then about {homework} minutes of "
            f"homework (the open exercise). An estimate from the lesson's length ({words:,} words of prose before "
            f"the exercises at 120 a minute, {code} lines of code at 15 a minute, {output_lines} lines of printed "
            f"output at {OUTPUT_LINES_PER_MINUTE} a minute, {figures} figures at {MINUTES_PER_FIGURE} minute each, "
            + ("under a minute" if run_minutes < 0.5 else f"{run_minutes:.0f} minute{'' if round(run_minutes) == 1 else 's'}")
            + " of training and computing on a 2-core CPU) and the exercise minutes no-context student reads "
            "estimated, rounded to 5 minutes; not yet timed with a class. "
            f"**Prerequisites:** {PREREQUISITES[path.name[:2]]}.")


def readme_with_minutes(readme: str, minutes: dict[str, str]) -> str:
    """``readme`` with each lesson row's "about N min" set from ``minutes`` (notebook file name ->
    minutes); raises ValueError if a lesson has no row."""
    for name, value in minutes.items():
        row = re.compile(rf"(^\| \[[^\]]+\]\(notebooks/{re.escape(name)}\) \| about )\d+( min \|)", re.MULTILINE)
        readme, count = row.subn(rf"\g<1>{value}\g<2>", readme)
        if count != 1:
            raise ValueError(f"README.md has {count} lesson-table rows for {name}, not one")
    return readme


def main(paths: list[str]) -> int:
    minutes = {}
    for name in paths:
        path = Path(name)
        nb = nbformat.read(path, as_version=4)
        first = nb.cells[0]
        first.source = LINE.sub("", first.source).rstrip("\n") + "\n\n" + learner_time_line(path)
        nbformat.write(nb, path)
        minutes[path.name] = re.search(r"about (\d+) minutes", first.source).group(1)
        print(f"{path.name}: about {minutes[path.name]} minutes")
    readme = Path(__file__).resolve().parent.parent / "README.md"
    readme.write_text(readme_with_minutes(readme.read_text(encoding="utf-8"), minutes), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

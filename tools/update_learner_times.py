"""Development script: write each lesson's "Learner time" line (the end of its first cell) from
the lesson's own length, so that the estimate is computed, not typed.

    python tools/update_learner_times.py notebooks/[01]*.ipynb

It also writes the same minutes into the README's lesson table ("about N min"), which a test
(``test_release``) keeps equal to the lessons' lines.

The estimate: the cells before "## Exercises" read and run at 100 words of prose, 12 lines of code
and 16 lines of printed output a minute and 1.25 minutes a figure, plus the seconds of training and
computing the notebook's execution metadata recorded (:func:`cifar_tutorial.tools.runner.cell_seconds`);
then 10 and 15 minutes for an easy and a medium exercise and a minute per quiz question; the total
rounded to 5 minutes. The open exercise is the lesson's homework (its "Homework" section), 30
minutes, given apart from the minutes in class, and so is an optional "## Going further" section
after it. The exercise minutes are what no-context student reads of lessons 08, 10 and 11
(2026-12-06) estimated (about 10, 10-15 and 30 or more). The reading rates are calibrated on the
eight no-context reads of 2026-12-07 that read lessons 00, 02, 04, 05, 07, 08, 10 and 11 as they
stand: at 120 words, 15 lines of code and 20 of output a minute and a minute a figure, the readers'
own minutes for reading and running were 1.1 to 1.3 times the estimate (median 1.25), and the rates
above are those divided by 1.2 to 1.25. None is a measurement with a class (the line
says so). Only the first cell's source changes; outputs are untouched, so the lesson need not be
re-executed.
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
# Reading rates, calibrated on the no-context reads of 2026-12-07 (see the docstring):
WORDS_PER_MINUTE = 100
CODE_LINES_PER_MINUTE = 12
OUTPUT_LINES_PER_MINUTE = 16  # reading printed results against the prose
MINUTES_PER_FIGURE = 1.25
LINE = re.compile(r"\n\n\*\*Learner time:\*\*.*$", re.DOTALL)


def stored_output_size(cells) -> tuple[int, int]:
    """The lines of text and the number of figures in the stored outputs of ``cells``' code cells."""
    lines = figures = 0
    for cell in cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = output.get("data", {})
            if output.get("output_type") == "stream":
                lines += len(output.get("text", "").splitlines())
            elif any(kind.startswith("image/") for kind in data):
                figures += 1
            elif "text/plain" in data:
                lines += len(data["text/plain"].splitlines())
    return lines, figures


def reading_minutes(indexed_cells, seconds: dict[int, float]) -> tuple[float, dict]:
    """Minutes to read and run ``indexed_cells`` (``(index in the notebook, cell)`` pairs), given the
    recorded ``seconds`` of each code cell by index, and the counts behind them (words, code lines,
    output lines, figures, run minutes)."""
    cells = [cell for _, cell in indexed_cells]
    markdown = "\n\n".join(LINE.sub("", c.source) for c in cells if c.cell_type == "markdown")
    output_lines, figures = stored_output_size(cells)
    counts = {"words": len(re.findall(r"\w+", markdown)),
              "code": sum(len(c.source.splitlines()) for c in cells if c.cell_type == "code"),
              "output_lines": output_lines, "figures": figures,
              "run": sum(seconds.get(index, 0.0) for index, _ in indexed_cells) / 60}
    minutes = (counts["words"] / WORDS_PER_MINUTE + counts["code"] / CODE_LINES_PER_MINUTE
               + output_lines / OUTPUT_LINES_PER_MINUTE + figures * MINUTES_PER_FIGURE + counts["run"])
    return minutes, counts


def learner_time_line(path: Path) -> str:
    """The "Learner time" and "Prerequisites" line for the lesson at ``path``: the minutes in class
    (reading and running the cells before "## Exercises", the easy and medium exercises and the
    quiz), the homework's (the open exercise, in the lesson's "Homework" section) and those of an
    optional "## Going further" section after it, if the lesson has one."""
    nb = nbformat.read(path, as_version=4)
    cells = nb.cells
    first_exercise = next(i for i, c in enumerate(cells) if c.cell_type == "markdown" and "## Exercises" in c.source)
    further = next((i for i, c in enumerate(cells) if c.cell_type == "markdown" and c.source.startswith("## Going further")),
                   len(cells))
    seconds = {row["cell"]: row["seconds"] for row in cell_seconds(path)}
    lesson = list(enumerate(cells[:first_exercise + 1]))
    last = lesson[-1][1].copy()
    last.source = last.source.partition("## Exercises")[0]  # the exercises are read in their own minutes
    lesson[-1] = (first_exercise, last)
    teaching, counts = reading_minutes(lesson, seconds)
    optional = reading_minutes(list(enumerate(cells))[further:], seconds)[0]
    exercise_text = "\n".join(c.source for c in cells[first_exercise:further] if c.cell_type == "markdown")
    exercise_text = exercise_text.partition("## Exercises")[2]
    levels = re.findall(r"\*\*(Easy|Medium|Open|Quiz)\.\*\*", exercise_text)
    in_class = [k for k in levels if k not in ("Open", "Quiz")]
    quiz_cell = next((c.source for c in cells if c.cell_type == "markdown" and c.source.startswith("**Quiz.**")), "")
    questions = len(re.findall(r"^\d+\. ", quiz_cell, re.MULTILINE))
    exercises = sum(EXERCISE_MINUTES[k] for k in in_class) + questions * QUIZ_MINUTES_PER_QUESTION
    homework = sum(EXERCISE_MINUTES[k] for k in levels if k == "Open")
    tasks = [k.lower() for k in in_class]
    if len(tasks) == 2 and tasks[0] == tasks[1]:
        named = f"{EXERCISE_MINUTES[tasks[0].title()]} for each of the two {tasks[0]} exercises"
    else:
        named = " and ".join(f"{EXERCISE_MINUTES[k.title()]} for the {k}" for k in tasks) + \
            (" exercise" if len(tasks) == 1 else " exercises" if tasks else "")
    named += f", {questions * QUIZ_MINUTES_PER_QUESTION} for the quiz's {questions} questions" if questions else ""
    total = 5 * round((round(teaching) + exercises) / 5)
    run = counts["run"]
    extra = f" and about {max(5, 5 * round(optional / 5))} of optional reading (*Going further*)" if optional else ""
    return (f"**Learner time:** about {total} minutes in class: about {round(teaching)} of reading "
            f"and running the cells and {exercises} of exercises ({named}); then about {homework} minutes of "
            f"homework (the open exercise){extra}. An estimate from the lesson's length ({counts['words']:,} words of "
            f"prose before the exercises at {WORDS_PER_MINUTE} a minute, {counts['code']} lines of code at "
            f"{CODE_LINES_PER_MINUTE} a minute, {counts['output_lines']} lines of printed output at "
            f"{OUTPUT_LINES_PER_MINUTE} a minute, {counts['figures']} figures at {MINUTES_PER_FIGURE} minutes each, "
            + ("under a minute" if run < 0.5 else f"{run:.0f} minute{'' if round(run) == 1 else 's'}")
            + " of training and computing on a 2-core CPU) and the exercise minutes estimated by no-context student "
            "reads; the total rounded to 5 minutes; not yet timed with a class. "
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

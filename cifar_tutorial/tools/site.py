"""``python -m cifar_tutorial site``: the course website, built from the committed lessons.

The site is made with Sphinx, MyST-NB and sphinx-book-theme (``requirements-site.txt``;
students need not install them). :func:`build_site` copies into one temporary source
folder the lesson notebooks and their solutions *as executed* (their stored outputs
are rendered, nothing is run: ``nb_execution_mode = "off"`` in ``docs/conf.py``), the
Markdown pages of ``notebooks/`` (glossary, data provenance) and the pages of
``docs/`` (home, instructors, results), fills in the pages' generated parts (the lesson
table, the table of contents, sections of the README), runs Sphinx, and moves the
finished site into place. Every warning Sphinx gives (a broken link, a missing page)
fails the build, so that a site that builds is whole.

The copies differ from the committed notebooks in one way: the Colab and Binder badge
images of each lesson's first cell are dropped (the theme's launch buttons replace
them, and the badges would be fetched from other sites).
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import shutil
import tempfile
import time
from pathlib import Path

from cifar_tutorial.config import REPO_ROOT, in_checkout, workspace_dir

SITE_REQUIREMENTS = "requirements-site.txt"
MARKER = ".cifar-tutorial-site"  # written into every built site, so a rebuild may replace it
BADGES = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)\s*\[!\[Binder\]\([^)]*\)\]\([^)]*\)\s*(·\s*)?")
LEARNER_TIME = re.compile(r"\*\*Learner time:\*\* about (\d+) minutes")
TITLE = re.compile(r"^# Lesson (\d\d) — (.+)$", re.MULTILINE)


class SiteError(RuntimeError):
    """The site could not be built; the message says why and what to do."""


@dataclasses.dataclass
class Lesson:
    """One lesson notebook: its file name, number, title (from its ``#`` heading),
    learner time in minutes (from its "Learner time" line; ``None`` if it has none)
    and the file name of its worked solutions (``None`` if there are none)."""

    name: str
    number: str
    title: str
    minutes: int | None
    solutions: str | None


@dataclasses.dataclass
class SiteResult:
    """A built site: its folder, the number of HTML pages and the build's wall time (s)."""

    path: Path
    pages: int
    seconds: float


def default_output() -> Path:
    """``build/site/`` of the workspace (``build/`` moves with ``CIFAR_TUTORIAL_HOME``)."""
    return workspace_dir("build") / "site"


def read_lessons(notebooks_dir: Path) -> list[Lesson]:
    """The lessons (``NN_*.ipynb``) of ``notebooks_dir`` in order, read from their first cell.

    Raises:
        SiteError: if a lesson's first cell has no ``# Lesson NN — Title`` heading.
    """
    from cifar_tutorial.tools.runner import find_notebooks

    try:
        paths = find_notebooks(notebooks_dir=notebooks_dir)
    except FileNotFoundError as err:
        raise SiteError(str(err)) from None
    lessons = []
    for path in paths:
        first = "".join(json.loads(path.read_text(encoding="utf-8"))["cells"][0]["source"])
        title = TITLE.search(first)
        if title is None:
            raise SiteError(f"{path}: its first cell has no '# Lesson NN — Title' heading.")
        minutes = LEARNER_TIME.search(first)
        solutions = notebooks_dir / "solutions" / f"{path.stem}_solutions.ipynb"
        lessons.append(Lesson(path.name, title.group(1), title.group(2).strip(),
                              int(minutes.group(1)) if minutes else None,
                              f"solutions/{solutions.name}" if solutions.exists() else None))
    return lessons


def lesson_table(lessons: list[Lesson]) -> str:
    """A Markdown table of the lessons: number and title (linked), learner time, solutions."""
    rows = ["| lesson | learner time | worked solutions |", "| --- | --- | --- |"]
    for lesson in lessons:
        minutes = f"about {lesson.minutes} min" if lesson.minutes else "not stated"
        solutions = f"[solutions]({lesson.solutions})" if lesson.solutions else "none"
        rows.append(f"| [{lesson.number} {lesson.title}]({lesson.name}) | {minutes} | {solutions} |")
    return "\n".join(rows)


def toctree(lessons: list[Lesson], pages: list[str]) -> str:
    """The home page's hidden tables of contents: lessons, solutions, then ``pages``."""
    def block(caption: str, entries: list[str]) -> str:
        return "```{toctree}\n:hidden:\n:caption: " + caption + "\n\n" + "\n".join(entries) + "\n```"

    return "\n\n".join([
        block("Lessons", [lesson.name.removesuffix(".ipynb") for lesson in lessons]),
        block("Worked solutions", [lesson.solutions.removesuffix(".ipynb") for lesson in lessons if lesson.solutions]),
        block("Reference", pages),
    ])


def markdown_section(text: str, heading: str) -> str:
    """The body of the ``## heading`` section of a Markdown text (up to the next ``## ``),
    its headings one level deeper, so that it can sit under a page's own ``#`` title.

    Raises:
        SiteError: if the text has no such section.
    """
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    if match is None:
        raise SiteError(f"The README has no '## {heading}' section, which the site's pages include.")
    return f"## {heading}\n" + match.group(1)


def _readme_links(text: str) -> str:
    """README links made to work on the site: ``notebooks/X`` becomes ``X``; other
    repository files become links to the repository (they are not pages of the site)."""
    from cifar_tutorial.config import BRANCH, REPOSITORY

    def fix(match: re.Match) -> str:
        label, target = match.group(1), match.group(2)
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            return match.group(0)
        if target.startswith("notebooks/"):
            return f"[{label}]({target.removeprefix('notebooks/')})"
        return f"[{label}](https://github.com/{REPOSITORY}/blob/{BRANCH}/{target})"

    return re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", fix, text)


def _demote(text: str) -> str:
    """Every Markdown heading one level deeper (``#`` becomes ``##``), outside code blocks."""
    out, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        out.append("#" + line if not fenced and re.match(r"#+ ", line) else line)
    return "\n".join(out)


def slowest_cells(notebook: Path, count: int = 3) -> str:
    """One sentence naming the ``count`` slowest code cells of a committed notebook, by the
    section they are in, with the seconds its execution metadata recorded
    (:func:`cifar_tutorial.tools.runner.cell_seconds`), and all code cells' total.

    Raises:
        SiteError: if the notebook holds no execution times (it was never executed).
    """
    from cifar_tutorial.tools.runner import cell_seconds

    rows = cell_seconds(notebook)
    if not rows:
        raise SiteError(f"{notebook.name} holds no execution times; execute it before building the site.")
    slowest = sorted(rows, key=lambda row: row["seconds"], reverse=True)[:count]
    listed = ", ".join(f"{row['seconds']:.0f} s in *{row['section']}*" for row in slowest)
    return (f"Slowest cells in the committed run (its stored outputs): {listed}; "
            f"all {len(rows)} code cells together {sum(row['seconds'] for row in rows):.0f} s.")


def fill_page(text: str, lessons: list[Lesson], pages: list[str], repo_root: Path) -> str:
    """A page with its markers replaced: ``<!-- lesson-table -->``, ``<!-- toctree -->``,
    ``<!-- readme: Heading -->`` (that README section), ``<!-- file: path -->`` (a Markdown
    file of the repository, its headings demoted) and ``<!-- slowest-cells: NAME -->``
    (:func:`slowest_cells` of ``notebooks/NAME.ipynb``)."""
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    text = re.sub(r"<!-- slowest-cells: (.+?) -->",
                  lambda m: slowest_cells(repo_root / "notebooks" / f"{m.group(1)}.ipynb"), text)
    text = text.replace("<!-- lesson-table -->", lesson_table(lessons))
    text = text.replace("<!-- toctree -->", toctree(lessons, pages))
    text = re.sub(r"<!-- readme: (.+?) -->", lambda m: _readme_links(markdown_section(readme, m.group(1))), text)
    return re.sub(r"<!-- file: (.+?) -->",
                  lambda m: _readme_links(_demote((repo_root / m.group(1)).read_text(encoding="utf-8"))), text)


def _copy_notebook(source: Path, target: Path) -> None:
    notebook = json.loads(source.read_text(encoding="utf-8"))
    first = notebook["cells"][0]
    first["source"] = BADGES.sub("", "".join(first["source"]))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(notebook), encoding="utf-8")


def assemble(source: Path, notebooks_dir: Path, docs_dir: Path, repo_root: Path) -> list[Lesson]:
    """Write the site's Sphinx source folder ``source`` (see the module docstring)."""
    lessons = read_lessons(notebooks_dir)
    for lesson in lessons:
        _copy_notebook(notebooks_dir / lesson.name, source / lesson.name)
        if lesson.solutions:
            _copy_notebook(notebooks_dir / lesson.solutions, source / lesson.solutions)
    student_pages = sorted(p for p in notebooks_dir.glob("*.md"))
    docs_pages = sorted(p for p in docs_dir.glob("*.md") if p.name != "index.md")
    pages = [p.stem for p in student_pages] + [p.stem for p in docs_pages]
    for page in [docs_dir / "index.md", *student_pages, *docs_pages]:
        (source / page.name).write_text(fill_page(page.read_text(encoding="utf-8"), lessons, pages, repo_root),
                                        encoding="utf-8")
    shutil.copy(docs_dir / "conf.py", source / "conf.py")
    return lessons


def build_site(output: Path | None = None, repo_root: Path | None = None) -> SiteResult:
    """Build the course website into ``output`` (default :func:`default_output`).

    The site is built in a temporary folder and moved into place only when the build
    succeeded, so a failed build leaves the previous site (or nothing) behind.

    Args:
        output: the folder to write. If it exists it must be a site this function
            built (it holds the marker file ``.cifar-tutorial-site``); it is then replaced.
        repo_root: the checkout holding ``notebooks/``, ``docs/`` and ``README.md``
            (default: this package's checkout).

    Returns:
        :class:`SiteResult` with the folder, its number of HTML pages and the seconds taken.

    Raises:
        SiteError: the site requirements are not installed, there is no checkout,
            ``output`` is a folder this function did not make, or Sphinx warned
            (each warning is in the message).
    """
    if repo_root is None:
        if not in_checkout():
            raise SiteError("The site is built from a checkout of the course (notebooks/, docs/, README.md); "
                            "this installed copy has none. Fix: clone the repository and run it there.")
        repo_root = REPO_ROOT
    repo_root = Path(repo_root)
    output = Path(output) if output is not None else default_output()
    if output.exists() and any(output.iterdir()) and not (output / MARKER).exists():
        raise SiteError(f"{output} exists and is not a site built by this command; nothing was written. "
                        "Fix: pass --output with a new or empty folder.")
    try:
        from sphinx.application import Sphinx
    except ImportError as err:
        raise SiteError(f"The site needs Sphinx and MyST-NB ({err}). "
                        f"Fix: pip install -r {SITE_REQUIREMENTS}") from None
    start = time.perf_counter()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cifar-site-") as work:
        work = Path(work)
        source, html = work / "source", work / "html"
        source.mkdir()
        assemble(source, repo_root / "notebooks", repo_root / "docs", repo_root)
        warnings = io.StringIO()
        app = Sphinx(str(source), str(source), str(html), str(work / "doctrees"), "html",
                     status=None, warning=warnings, freshenv=True)
        app.build()
        if app.statuscode or warnings.getvalue().strip():
            raise SiteError("The site did not build cleanly:\n" + warnings.getvalue().replace(str(source) + "/", ""))
        (html / MARKER).write_text("built by python -m cifar_tutorial site\n", encoding="utf-8")
        staged = Path(tempfile.mkdtemp(prefix=f".{output.name}-", dir=output.parent))
        shutil.copytree(html, staged, dirs_exist_ok=True)
    if output.exists():
        shutil.rmtree(output)
    staged.rename(output)
    pages = sum(1 for page in output.rglob("*.html") if page.parent.name != "_static")
    return SiteResult(output, pages, time.perf_counter() - start)


def main(output: Path | None = None) -> int:
    """The ``site`` command: build, then print where the site is, its pages and the seconds taken."""
    result = build_site(output)
    print(f"site: {result.path} ({result.pages} pages, built in {result.seconds:.0f} s); "
          f"open {result.path / 'index.html'} in a browser")
    return 0

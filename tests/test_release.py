"""What an adopting instructor checks first: one version everywhere, a citation file that
cites the data, a changelog, and a text alternative for every figure a lesson stores."""

from __future__ import annotations

import json
import tomllib

import yaml

from cifar_tutorial.config import REPO_ROOT, __version__
from cifar_tutorial.tools.cli import main


def test_pyproject_citation_changelog_and_doctor_show_one_version(tmp_path, capsys):
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    citation = yaml.safe_load((REPO_ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert pyproject["project"]["version"] == __version__ == citation["version"]
    assert __version__ in (REPO_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    main(["doctor", "--data-dir", str(tmp_path / "empty")])
    assert f"[ok] course: cifar-tutorial {__version__}" in capsys.readouterr().out


def test_citation_file_names_the_course_and_cites_cifar10s_report():
    citation = yaml.safe_load((REPO_ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0" and citation["title"] and citation["authors"]
    assert citation["license"] == "MIT"
    report = next(r for r in citation["references"] if r["type"] == "report")
    assert report["title"] == "Learning Multiple Layers of Features from Tiny Images"
    assert report["authors"][0]["family-names"] == "Krizhevsky" and report["year"] == 2009


def test_every_stored_figure_has_a_text_alternative_written_in_its_lesson():
    """The site carries ``mystnb.image.alt`` of a figure's cell into the page's ``alt``."""
    missing = []
    notebooks = sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    notebooks += sorted((REPO_ROOT / "notebooks" / "solutions").glob("*.ipynb"))
    for path in notebooks:
        for index, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            figures = [o for o in cell.get("outputs", []) if any(k.startswith("image/") for k in o.get("data", {}))]
            alt = cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt", "")
            if figures and len(alt.split()) < 8:
                missing.append(f"{path.name} cell {index}: {alt!r}")
    assert not missing, "figures without a text alternative of at least 8 words:\n" + "\n".join(missing)


def test_readme_lesson_table_gives_each_lessons_learner_time():
    import re

    from cifar_tutorial.tools.site import read_lessons

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    for lesson in read_lessons(REPO_ROOT / "notebooks"):
        row = re.search(rf"^\| \[[^\]]+\]\(notebooks/{re.escape(lesson.name)}\) \| about (\d+) min \|", readme, re.MULTILINE)
        assert row and int(row.group(1)) == lesson.minutes, (lesson.name, lesson.minutes)

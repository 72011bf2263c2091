"""tools/renumber_lessons.py's text rewriting (pure string functions, synthetic text)."""

import importlib.util
import json

from cifar_tutorial import studies
from cifar_tutorial.config import REPO_ROOT

_spec = importlib.util.spec_from_file_location("renumber_lessons", REPO_ROOT / "tools" / "renumber_lessons.py")
renumber = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(renumber)


def test_a_study_json_gets_its_lesson_field_and_texts_renumbered_but_not_its_data():
    text = json.dumps({"lesson": "08", "question": "Does lesson 08's stack beat lessons 07 and 08's?",
                       "seeds": ["08"], "val_accuracy": 0.08, "date": "2026-12-08"})
    got = json.loads(renumber.renumber_text(text, {"08": "09", "07": "08"}, json=True))
    assert got == {"lesson": "09", "question": "Does lesson 09's stack beat lessons 08 and 09's?",
                   "seeds": ["08"], "val_accuracy": 0.08, "date": "2026-12-08"}


def test_each_stored_study_names_only_its_own_lesson_in_its_question_and_regime():
    """A stored study's texts, printed by its lesson, name that lesson (not a number from before a renumbering)."""
    import re

    for name in studies.names():
        study = studies.load(name)
        named = set(re.findall(r"[Ll]esson (\d\d)", study["question"] + " " + study["regime_from"]))
        assert named <= {study["lesson"]}, (name, named)

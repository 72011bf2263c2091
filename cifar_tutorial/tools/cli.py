"""Command line for the course.

* ``python -m cifar_tutorial run [NOTEBOOK ...]``: execute the lessons in order, each in a fresh kernel.
* ``python -m cifar_tutorial train``: train the course's recipe, save it as ``.keras`` with its metadata,
  and print a last line of JSON with the results.
* ``python -m cifar_tutorial prepare``: stage and verify the data before class; ``--pretrain`` also
  runs every lesson once (saving the model lesson 08 reuses) and times it.
* ``python -m cifar_tutorial doctor``: check a student's environment and say how to fix each problem.
* ``python -m cifar_tutorial site``: build the course website from the committed, executed lessons
  (needs ``requirements-site.txt``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cifar_tutorial.config import DEFAULT_PROFILE, PROFILE_ENV, PROFILES, SEED, __version__, profile_name

_ARCHIVE_HELP = "CIFAR-10 archive or extracted folder (default: $CIFAR10_ARCHIVE, the data folder, then a download)"


def _add_common_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--profile", choices=list(PROFILES), default=None,
                         help=f"run length (default: ${PROFILE_ENV} or {DEFAULT_PROFILE!r})")
    command.add_argument("--archive", default=None, help=_ARCHIVE_HELP)


def _add_run_options(command: argparse.ArgumentParser) -> None:
    _add_common_options(command)
    command.add_argument("--notebooks", type=Path, default=None, metavar="DIR",
                         help="the folder of lesson notebooks (default: notebooks/ of this checkout)")
    command.add_argument("--output-dir", type=Path, default=None,
                         help="where executed notebooks and HTML go (default: build/)")
    command.add_argument("--no-html", action="store_true", help="skip the HTML rendering")


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m cifar_tutorial`` (built without importing TensorFlow)."""
    root = argparse.ArgumentParser(prog="python -m cifar_tutorial", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    root.add_argument("--version", action="version", version=f"cifar-tutorial {__version__}")
    commands = root.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="execute the lesson notebooks in order, each in a fresh kernel")
    run.add_argument("selection", nargs="*", metavar="NOTEBOOK",
                     help="name prefixes of the notebooks to run, e.g. 01 02 (default: all)")
    _add_run_options(run)
    train = commands.add_parser("train", help="train the course's recipe and save it (.keras and .json)")
    _add_common_options(train)
    train.add_argument("--epochs", type=int, default=None,
                       help="epochs (default: the profile's recipe_epochs)")
    train.add_argument("--seed", type=int, default=SEED, help=f"random seed (default: {SEED})")
    train.add_argument("--output", type=Path, default=None,
                       help="the .keras file to write (default: models/course_cnn.keras)")
    prepare = commands.add_parser("prepare", help="before class: stage and verify the data; optionally pre-train")
    _add_run_options(prepare)
    prepare.add_argument("--pretrain", action="store_true",
                         help="also run every lesson once: saves lesson 07's model for lesson 08 and times each lesson")
    doctor = commands.add_parser("doctor", help="check this environment and say how to fix each problem")
    doctor.add_argument("--data-dir", type=Path, default=None, help="the data folder to check (default: data/)")
    site = commands.add_parser("site", help="build the course website from the executed lessons (requirements-site.txt)")
    site.add_argument("--output", type=Path, default=None, metavar="DIR",
                      help="the folder to write (default: build/site/)")
    return root


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the process exit status (0 ok, 1 a failed
    check or notebook, 2 an error reported on stderr)."""
    args = parser().parse_args(argv)
    from cifar_tutorial.datasets import CIFAR10Error

    try:
        if args.command == "doctor":
            from cifar_tutorial.tools import doctor

            return doctor.doctor(args.data_dir)
        if args.command == "site":
            from cifar_tutorial.tools import site

            try:
                return site.main(args.output)
            except site.SiteError as err:
                print(f"error: {err}", file=sys.stderr)
                return 2
        profile = profile_name(args.profile)
        if args.command == "train":
            from cifar_tutorial.tools import train

            return train.train(profile, archive=args.archive, epochs=args.epochs, seed=args.seed,
                               output=args.output)
        from cifar_tutorial.tools import runner

        if args.command == "prepare":
            from cifar_tutorial.tools import doctor

            print(doctor.stage_data(args.archive))
            if not args.pretrain:
                return 0
        selection = getattr(args, "selection", None) or None
        return runner.run(profile, archive=args.archive, selection=selection, output_dir=args.output_dir,
                          html=not args.no_html, notebooks_dir=args.notebooks)[0]
    except (CIFAR10Error, ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2

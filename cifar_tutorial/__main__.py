"""Command line: ``python -m cifar_tutorial run [--profile P] [--archive PATH] [NOTEBOOK ...]``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from cifar_tutorial.config import DEFAULT_PROFILE, PROFILE_ENV, PROFILES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cifar_tutorial", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="execute the lesson notebooks in order, each in a fresh kernel")
    run.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                     help="name prefixes of the notebooks to run, e.g. 01 02 (default: all)")
    run.add_argument("--profile", choices=list(PROFILES), default=None,
                     help=f"run length (default: ${PROFILE_ENV} or {DEFAULT_PROFILE!r})")
    run.add_argument("--archive", default=None,
                     help="CIFAR-10 archive or extracted folder (default: $CIFAR10_ARCHIVE, the data folder, then a download)")
    run.add_argument("--output-dir", type=Path, default=None, help="where executed notebooks and HTML go (default: build/)")
    run.add_argument("--no-html", action="store_true", help="skip the HTML rendering")
    args = parser.parse_args(argv)

    from cifar_tutorial import runner
    from cifar_tutorial.data import CIFAR10Error

    profile = args.profile or os.environ.get(PROFILE_ENV) or DEFAULT_PROFILE
    try:
        return runner.run(profile, archive=args.archive, selection=args.notebooks or None,
                          output_dir=args.output_dir or runner.BUILD_DIR, html=not args.no_html)
    except (CIFAR10Error, ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

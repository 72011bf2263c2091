"""Development script: measure every lesson's wall time and write the table into README.md.

Runs every lesson (``cifar_tutorial.tools.runner.run``) in one profile, with the
executed notebooks going to a temporary folder, then replaces the block
between ``<!-- timings:<profile>:start -->`` and ``<!-- timings:<profile>:end -->``
in the README's "For instructors" section. Only this script writes the README;
the package never does.

Usage (repository root)::

    python tools/update_readme_timings.py --profile class --archive /path/to/cifar-10-python.tar.gz
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def timings_markdown(profile: str, rows, machine: str, date: str | None = None, precision: str | None = None) -> str:
    """The README's timing table for one profile.

    Args:
        profile: the profile the lessons ran in.
        rows: :class:`cifar_tutorial.tools.runner.NotebookResult` objects (``name``,
            ``status``, ``seconds``).
        machine: :func:`cifar_tutorial.machine.summary`.
        date: ``YYYY-MM-DD`` (default: today).
        precision: the precision the lessons ran in (e.g. ``float32 (forced)``), if known.
    """
    from cifar_tutorial.notebook import format_table

    total = sum(r.seconds for r in rows)
    table = format_table(("notebook", "status", "minutes:seconds"),
                         [(r.name, r.status, f"{int(r.seconds // 60)}:{r.seconds % 60:04.1f}") for r in rows]
                         + [("all", "", f"{int(total // 60)}:{total % 60:04.1f}")])
    when = date or time.strftime("%Y-%m-%d")
    return (f"Profile `{profile}`, measured {when} by `python tools/update_readme_timings.py --profile {profile}` "
            f"on: {machine}{f'; precision {precision}' if precision else ''}. "
            f"Wall-clock time per notebook, kernel start included.\n\n```\n{table}\n```\n")


def replace_block(text: str, profile: str, markdown: str, kind: str = "timings") -> str:
    """``text`` with the ``<kind>:<profile>`` block (``<!-- timings:class:start -->`` ...
    ``<!-- timings:class:end -->``) replaced by ``markdown``.

    Raises:
        ValueError: the text has no such block.
    """
    start, end = f"<!-- {kind}:{profile}:start -->", f"<!-- {kind}:{profile}:end -->"
    if start not in text or end not in text:
        raise ValueError(f"no {start} ... {end} block to update.")
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    return f"{before}{start}\n{markdown}{end}{after}"


def main(argv=None) -> int:
    from cifar_tutorial import machine, mixed_precision
    from cifar_tutorial.tools import runner

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profile", required=True, choices=["smoke", "class", "full"])
    parser.add_argument("--archive", default=None, help="CIFAR-10 archive (default: $CIFAR10_ARCHIVE)")
    parser.add_argument("--readme", type=Path, default=README)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as build:
        status, rows = runner.run(args.profile, archive=args.archive, output_dir=Path(build), html=False)
    if status != 0:
        print("Not every lesson succeeded: the README is left as it was.", file=sys.stderr)
        return status
    markdown = timings_markdown(args.profile, rows, machine.summary(),
                                precision=str(mixed_precision.precision_for_this_machine()))
    args.readme.write_text(replace_block(args.readme.read_text(encoding="utf-8"), args.profile, markdown), encoding="utf-8")
    print(f"Timing table for profile {args.profile!r} written to {args.readme.name}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Time every lesson in the ``class`` profile on an archive in the official layout at full size.

Students with internet load the official 50,000 + 10,000-image archive; the committed outputs come
from the 5,085-image sample. This script builds an archive in the official layout whose batches
hold the sample's real images tiled to the official sizes (``cnn_benchmark.tiled_archive``; for
timing only: its accuracies mean nothing), runs ``python -m cifar_tutorial run --profile class`` on
it in float32 in a temporary workspace (the user's ``models/`` and ``build/`` are not touched), and
reads each code cell's wall time from the executed notebooks (nbclient's ``metadata.execution``
timestamps). It writes ``benchmarks/results/class_profile_timing.json``: per notebook its wall
time and its slowest cells, and the cells over the 60 s target.

    python benchmarks/class_profile_timing.py --archive ../shared/data/cifar-10-sample-python.tar.gz
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cnn_benchmark import tiled_archive

from cifar_tutorial.tools.runner import cell_seconds

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results" / "class_profile_timing.json"
TARGET_CELL_S = 60.0
TARGET_RUN_S = 15 * 60.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archive", required=True, help="the CIFAR-10 sample (its images are tiled)")
    parser.add_argument("--precision", default="float32")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="class-timing-") as folder:
        folder = Path(folder)
        tiled = tiled_archive(args.archive, folder)
        env = {**os.environ, "CIFAR_TUTORIAL_HOME": str(folder / "home"), "CIFAR_TUTORIAL_PRECISION": args.precision}
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "cifar_tutorial", "run", "--profile", "class", "--archive",
                                 str(tiled), "--output-dir", str(folder / "build"), "--no-html"],
                                cwd=REPO, env=env, capture_output=True, text=True)
        total = time.perf_counter() - start
        print(result.stdout[-4000:], result.stderr[-2000:], sep="\n")
        notebooks = {}
        for executed in sorted((folder / "build" / "notebooks").glob("*.ipynb")):
            cells = cell_seconds(executed)
            notebooks[executed.name] = {"cell_seconds_total": round(sum(c["seconds"] for c in cells), 1),
                                        "slowest": sorted(cells, key=lambda c: -c["seconds"])[:3],
                                        "over_target": [c for c in cells if c["seconds"] > TARGET_CELL_S]}
    from cifar_tutorial import machine

    report = {
        "what": "python -m cifar_tutorial run --profile class on an archive in the official layout at full size "
                "(50,000 train / 10,000 test, the sample's real images tiled; timing only)",
        "precision": args.precision, "machine": machine.summary(), "date": datetime.date.today().isoformat(),
        "command": f"python benchmarks/class_profile_timing.py --archive {Path(args.archive).name}",
        "status": result.returncode, "run_seconds": round(total, 1), "run_target_seconds": TARGET_RUN_S,
        "cell_target_seconds": TARGET_CELL_S, "notebooks": notebooks,
        "cells_over_target": {name: nb["over_target"] for name, nb in notebooks.items() if nb["over_target"]},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=1) + "\n")
    print(f"whole run {total / 60:.1f} min (target {TARGET_RUN_S / 60:.0f}); cells over {TARGET_CELL_S:.0f} s: "
          f"{sum(len(v) for v in report['cells_over_target'].values())}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())

"""Execute the lesson notebooks in order, each in a fresh kernel, and summarise.

Used as ``python -m cifar_tutorial run``. Each notebook gets its parameters
from papermill (``papermill.parameterize.parameterize_notebook``, injected
after its ``parameters`` cell) and is executed by nbclient's
``NotebookClient``, whose public ``execute(cwd=..., env=...)`` passes the
working folder and the kernel's environment on to jupyter_client's
``start_kernel``. The kernel talks over Unix sockets (``transport="ipc"``, a
public kernel-manager setting), so nothing listens on a TCP port. Executed
notebooks go to ``build/notebooks/`` and HTML (nbconvert) to ``build/html/``
(``build/`` moves with ``CIFAR_TUTORIAL_HOME``).
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
import time
from pathlib import Path

from cifar_tutorial import mixed_precision
from cifar_tutorial.config import PROFILE_ENV, REPO_ROOT, in_checkout, profile_name, workspace_dir
from cifar_tutorial.datasets import CIFAR10, locate_archive
from cifar_tutorial.notebook import RESULT_MIME, format_table


def default_notebooks_dir() -> Path | None:
    """The checkout's ``notebooks/`` folder, or ``None`` when the package is installed
    without one (then ``run`` needs ``--notebooks``)."""
    return REPO_ROOT / "notebooks" if in_checkout() else None


@dataclasses.dataclass
class NotebookResult:
    """One executed notebook: ``status`` is ``"ok"`` or ``"failed"``; ``seconds``
    is wall-clock time including kernel start; ``results`` maps each
    :func:`~cifar_tutorial.notebook.record_result` name to its value; ``error``
    names the failing cell and exception."""

    name: str
    status: str
    seconds: float
    results: dict[str, float]
    error: str = ""


def find_notebooks(selection: list[str] | None = None, notebooks_dir: Path | None = None) -> list[Path]:
    """The lesson notebooks (``NN_*.ipynb``) in order, optionally only those whose
    file name starts with one of ``selection`` (e.g. ``["01", "02"]``).

    Args:
        selection: name prefixes; ``None`` or empty keeps every lesson.
        notebooks_dir: the folder (default: :func:`default_notebooks_dir`).

    Raises:
        FileNotFoundError: if there is no folder, the folder holds no lesson
            notebook, or a selection matches none; the message names ``--notebooks``.
    """
    notebooks_dir = Path(notebooks_dir) if notebooks_dir is not None else default_notebooks_dir()
    if notebooks_dir is None:
        raise FileNotFoundError("No lesson notebooks: this installed copy of the course has no notebooks/ "
                                "folder. Fix: pass --notebooks DIR, the folder holding the NN_*.ipynb lessons.")
    notebooks = sorted(p for p in notebooks_dir.glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"No lesson notebooks (NN_*.ipynb) in {notebooks_dir}. "
                                "Fix: pass --notebooks DIR, the folder holding them.")
    if not selection:
        return notebooks
    chosen = []
    for prefix in selection:
        matches = [p for p in notebooks if p.name.startswith(prefix)]
        if not matches:
            raise FileNotFoundError(
                f"No notebook starts with {prefix!r}; choose from: {', '.join(p.name for p in notebooks)}."
            )
        chosen.extend(m for m in matches if m not in chosen)
    return chosen


def cell_seconds(notebook: Path) -> list[dict]:
    """``[{"cell": index, "seconds": s, "first_line": ..., "section": ...}]`` for every executed
    code cell of a notebook file: the seconds nbclient recorded in the cell's execution
    metadata (``iopub.execute_input`` to ``shell.execute_reply``), the cell's first line, and
    the ``## `` heading it sits under (``"the start"`` before the first)."""
    import datetime

    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    rows, section = [], "the start"
    for index, cell in enumerate(cells):
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            headings = [line[3:] for line in source.splitlines() if line.startswith("## ")]
            section = headings[-1] if headings else section
            continue
        timing = cell.get("metadata", {}).get("execution", {})
        start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
        if cell["cell_type"] != "code" or not start or not end:
            continue
        seconds = (datetime.datetime.fromisoformat(end) - datetime.datetime.fromisoformat(start)).total_seconds()
        rows.append({"cell": index, "seconds": round(seconds, 1), "first_line": source.split("\n")[0][:80],
                     "section": section})
    return rows


def recorded_results(notebook: dict) -> dict[str, float]:
    """The values a notebook stored with ``record_result``, by name (last wins)."""
    results = {}
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if RESULT_MIME in data:
                payload = data[RESULT_MIME]
                if isinstance(payload, str):
                    payload = json.loads(payload)
                results[payload["name"]] = payload["value"]
    return results


def execute_notebook(path: Path, output_dir: Path, html: bool = True, timeout_s: int = 3600,
                     parameters: dict | None = None, env: dict[str, str] | None = None) -> NotebookResult:
    """Run one notebook in a fresh kernel (nbclient) and save it (and HTML).

    Args:
        path: the ``.ipynb`` to execute; its folder is the working directory.
        output_dir: receives ``notebooks/<name>`` and ``html/<stem>.html``.
        html: whether to render HTML.
        timeout_s: per-cell time limit in seconds.
        parameters: values injected after the notebook's ``parameters`` cell
            (e.g. ``{"PROFILE": "class"}``); ignored for a notebook without one.
        env: variables added to the kernel's environment (e.g.
            ``CIFAR10_ARCHIVE``); this process's environment is not changed.

    Returns:
        A :class:`NotebookResult`; a failing cell gives ``status="failed"``
        with the cell number and exception in ``error`` (never raises for it).
    """
    import nbformat
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(str(path))  # nbformat's reader, with the cell metadata papermill expects
    if parameters and any("parameters" in cell.get("metadata", {}).get("tags", []) for cell in nb.cells):
        nb = parameterize_notebook(nb, parameters, kernel_name="python3", language="python")
    out_nb = output_dir / "notebooks" / path.name
    out_nb.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    status, error = "ok", ""
    # IPC sockets are files: an absolute path (the kernel runs in the notebook's folder), removed afterwards.
    with tempfile.TemporaryDirectory(prefix="cifar-tutorial-kernel-") as sockets:
        manager = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=str(Path(sockets) / "kernel"))
        client = NotebookClient(nb, km=manager, timeout=timeout_s, kernel_name="python3")
        try:
            client.execute(cwd=str(path.parent), env={**os.environ, **(env or {})})
        except CellExecutionError as err:
            status = "failed"
            index, failed = next(((i, cell) for i, cell in enumerate(nb.cells)
                                  if any(o.get("output_type") == "error" for o in cell.get("outputs", []))),
                                 (None, {}))
            error = f"cell {index} (execution count {failed.get('execution_count')}): {err.ename}: {err.evalue}"
        finally:
            nbformat.write(nb, out_nb)
    seconds = time.perf_counter() - start
    results = recorded_results(nb)  # the executed notebook, as just written
    if html and out_nb.exists():
        from nbconvert import HTMLExporter

        body, _ = HTMLExporter().from_filename(str(out_nb))
        out_html = output_dir / "html" / (path.stem + ".html")
        out_html.parent.mkdir(parents=True, exist_ok=True)
        out_html.write_text(body, encoding="utf-8")
    return NotebookResult(path.name, status, seconds, results, error)


def summary_table(rows: list[NotebookResult]) -> str:
    """A plain-text table: notebook, status, wall seconds, recorded results."""
    return format_table(("notebook", "status", "seconds", "results"), [
        (r.name, r.status, f"{r.seconds:.1f}",
         ", ".join(f"{k}={v:.4g}" for k, v in r.results.items()) or "-")
        for r in rows
    ])


def run(profile: str, archive: str | None = None, selection: list[str] | None = None,
        output_dir: Path | None = None, html: bool = True,
        notebooks_dir: Path | None = None) -> tuple[int, list[NotebookResult]]:
    """Execute the selected notebooks in order and print the summary table.

    The profile reaches each notebook as the parameter ``PROFILE``
    (every lesson's ``parameters`` cell has it), and the archive as
    ``CIFAR10_ARCHIVE`` in the kernels' environment; this process's own
    environment is left as it was.

    Args:
        profile: a key of :data:`cifar_tutorial.config.PROFILES`.
        archive: an archive or extracted folder for the kernels; ``None``
            keeps the environment's ``CIFAR10_ARCHIVE`` (or the data folder).
        selection: notebook name prefixes; ``None`` runs every lesson.
        output_dir: where executed notebooks and HTML go (default: the
            workspace's ``build/``, :func:`cifar_tutorial.config.workspace_dir`).
        notebooks_dir: the folder of lessons (default: :func:`default_notebooks_dir`).

    Returns:
        ``(status, results)``: the process exit status (0 when every
        notebook succeeded, 1 otherwise) and one :class:`NotebookResult` per
        notebook run. Execution stops at the first failing notebook, since
        later lessons may need what it saves.

    Raises:
        ValueError: unknown profile.
        FileNotFoundError: no lessons found, no such notebook or archive path.
        cifar_tutorial.data.CIFAR10Error: no usable archive.
    """
    profile = profile_name(profile)
    output_dir = Path(output_dir) if output_dir is not None else workspace_dir("build")
    env = {PROFILE_ENV: profile}
    archive_path = None
    if archive is not None:
        archive_path = Path(archive).expanduser().resolve()
        if not archive_path.exists():
            raise FileNotFoundError(f"{archive}: no such archive or folder (from --archive).")
        env[CIFAR10.archive_env] = str(archive_path)
    notebooks = find_notebooks(selection, notebooks_dir)
    # Resolve (and if need be download) the data once, here, so that a missing
    # archive fails in seconds with a clear message instead of inside a kernel.
    # Lesson 00 uses scikit-learn's digits and needs no CIFAR-10.
    if any(not p.name.startswith("00_") for p in notebooks):
        print(f"Data: {locate_archive(archive_path).description}")
    print(f"Precision: {mixed_precision.precision_for_this_machine()}")
    print(f"Running {len(notebooks)} notebook(s) with profile {profile!r}; outputs in {output_dir}")
    rows = []
    for path in notebooks:
        print(f"\n== {path.name}", flush=True)
        result = execute_notebook(path, output_dir, html=html, parameters={"PROFILE": profile}, env=env)
        rows.append(result)
        if result.status != "ok":
            print(f"\n{path.name} FAILED in {result.error}")
            break
    print("\n" + summary_table(rows))
    ok = all(r.status == "ok" for r in rows) and len(rows) == len(notebooks)
    return (0 if ok else 1), rows

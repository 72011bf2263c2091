"""Shared fixtures: the real CIFAR-10 sample from ../shared/data and archives made from it."""

from __future__ import annotations

import http.server
import io
import tarfile
import threading
import time
from pathlib import Path

import pytest

import cifar_tutorial

cifar_tutorial.quiet_startup()  # before any test imports Keras

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO.parent / "shared" / "data" / "cifar-10-sample-python.tar.gz"
SAMPLE_SHA256 = "ab594268cdba7471cea194ec5a9e9d67c022479615fd5a4870584e76f3a9b018"


@pytest.fixture(scope="session")
def sample_archive() -> Path:
    if not SAMPLE.is_file():
        pytest.fail(f"the shared CIFAR-10 sample is missing: expected {SAMPLE}")
    return SAMPLE


@pytest.fixture(scope="session")
def sample_members(sample_archive) -> dict[str, bytes]:
    """Every file of the sample archive, by base name."""
    with tarfile.open(sample_archive) as tar:
        return {Path(m.name).name: tar.extractfile(m).read() for m in tar if m.isfile()}


@pytest.fixture(scope="session")
def sample_folder(sample_archive, tmp_path_factory) -> Path:
    """The sample extracted: <tmp>/cifar-10-batches-py/."""
    root = tmp_path_factory.mktemp("extracted")
    with tarfile.open(sample_archive) as tar:
        tar.extractall(root, filter="data")
    return root / "cifar-10-batches-py"


def write_archive(path: Path, members: dict[str, bytes], folder: str) -> Path:
    """Write ``members`` (base name -> bytes) into a .tar.gz under ``folder/``, as the official archives are laid out."""
    with tarfile.open(path, "w:gz") as tar:
        for base, raw in members.items():
            info = tarfile.TarInfo(f"{folder}/{base}")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return path


@pytest.fixture
def make_archive(sample_members, tmp_path):
    """Build a .tar.gz in the official layout from the sample, with members replaced or dropped."""

    def make(name="archive.tar.gz", replace=None, drop=()):
        members = {base: raw for base, raw in {**sample_members, **(replace or {})}.items() if base not in drop}
        return write_archive(tmp_path / name, members, "cifar-10-batches-py")

    return make


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch, tmp_path):
    """No test sees the caller's archive, cache or mirror settings."""
    for name in ("CIFAR10_ARCHIVE", "CIFAR10_DATA_DIR", "CIFAR10_URL", "CIFAR_TUTORIAL_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CIFAR10_DATA_DIR", str(tmp_path / "cache"))


class _Handler(http.server.BaseHTTPRequestHandler):
    body = b""
    cut_after = None  # bytes sent before the connection is dropped
    cut_requests = None  # how many requests are cut (None: all of them)
    delay_s = 0.0  # pause before the body, to make downloads overlap
    requests: list  # one entry per GET, shared with the test

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.requests.append(self.path)
        cut = self.cut_after is not None and (self.cut_requests is None or len(self.requests) <= self.cut_requests)
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        time.sleep(self.delay_s)
        if not cut:
            self.wfile.write(self.body)
        else:
            self.wfile.write(self.body[: self.cut_after])
            self.wfile.flush()
            self.connection.shutdown(2)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    """Serve given bytes on 127.0.0.1; yields a function
    ``(body, cut_after=None, cut_requests=None, delay_s=0, requests=None) -> URL``:
    the first ``cut_requests`` GETs (all if ``None``) get only ``cut_after``
    bytes before the connection drops; each GET's path is appended to ``requests``."""
    servers = []

    def serve(body: bytes, cut_after: int | None = None, cut_requests: int | None = None,
              delay_s: float = 0.0, requests: list | None = None) -> str:
        handler = type("H", (_Handler,), {"body": body, "cut_after": cut_after, "cut_requests": cut_requests,
                                          "delay_s": delay_s, "requests": requests if requests is not None else []})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/cifar-10-python.tar.gz"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def files_in(folder: Path) -> list[str]:
    """File names in ``folder``, except the download locks (``datasets.CIFAR10.lock_name``,
    ``datasets.CIFAR100.lock_name``): empty files that stay by design (the lock
    itself ends with its process)."""
    from cifar_tutorial.datasets import CIFAR10, CIFAR100

    locks = {CIFAR10.lock_name, CIFAR100.lock_name}
    return sorted(p.name for p in folder.iterdir() if p.name not in locks) if folder.exists() else []


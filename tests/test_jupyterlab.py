"""The interactive path of the README: JupyterLab from the venv serves every lesson
and runs code in a kernel it starts. The server listens on 127.0.0.1 only, with
a token, and is stopped at the end; every wait is bounded."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from .conftest import REPO

JUPYTER = Path(sys.executable).parent / "jupyter"
LESSONS = sorted(p.name for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
START_TIMEOUT_S = 90
REPLY_TIMEOUT_S = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(base, token, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"{base}{path}", data=data, method=method,
                                 headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as response:
        text = response.read().decode()
        return response.status, (json.loads(text) if text else None)


async def _execute(url: str, code: str) -> list[dict]:
    """Send one execute_request over the kernel's websocket; return the messages
    answering it, up to the kernel's return to idle."""
    from tornado.websocket import websocket_connect

    connection = await asyncio.wait_for(websocket_connect(url), REPLY_TIMEOUT_S)
    msg_id = uuid.uuid4().hex
    connection.write_message(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test",
                   "session": uuid.uuid4().hex, "date": "", "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True},
    }))
    replies = []
    deadline = time.monotonic() + REPLY_TIMEOUT_S
    while time.monotonic() < deadline:
        raw = await asyncio.wait_for(connection.read_message(), deadline - time.monotonic())
        if raw is None:
            break
        message = json.loads(raw)
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        replies.append(message)
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            break
    connection.close()
    return replies


@pytest.mark.skipif(not JUPYTER.exists(), reason="jupyter is not installed beside this Python")
def test_jupyterlab_lists_the_lessons_and_runs_a_cell(tmp_path):
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"), "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [str(JUPYTER), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--port-retries=0",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={REPO}"]
        + (["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),  # CI machines run as root
        env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert server.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            try:
                if _request(base, token, "GET", "/api/status")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "JupyterLab did not answer in time"
            time.sleep(0.5)
        status, lab = _request(base, token, "GET", "/lab/api/settings")  # the JupyterLab extension is loaded
        assert status == 200 and "settings" in lab

        status, listing = _request(base, token, "GET", "/api/contents/notebooks")
        assert status == 200
        assert LESSONS and set(LESSONS) <= {item["name"] for item in listing["content"]}

        status, kernel = _request(base, token, "POST", "/api/kernels", {"name": "python3"})
        assert status == 201
        url = f"ws://127.0.0.1:{port}/api/kernels/{kernel['id']}/channels?token={token}"
        replies = asyncio.run(_execute(url, "import sys; print(6 * 7, sys.version_info[:2])"))
        streams = "".join(m["content"]["text"] for m in replies if m["msg_type"] == "stream")
        assert streams.startswith("42 "), replies
        assert f"{sys.version_info[0]}, {sys.version_info[1]}" in streams  # the venv's own Python
        assert _request(base, token, "DELETE", f"/api/kernels/{kernel['id']}")[0] == 204
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()

"""``make demo`` runs ``bin/demo.py``: the web server and the worker, both stopped by Ctrl-C."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from inspect_app.config import PROJECT_ROOT
from tests.alert_receivers import free_port


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_ctrl_c_stops_the_web_server_and_the_worker(sqlite_template: Path, tmp_path: Path) -> None:
    database = tmp_path / "demo.sqlite3"
    shutil.copyfile(sqlite_template, database)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INSPECT_", "FLASK_"))} | {
        "FLASK_APP": "wsgi.py",
        "DATABASE_URL": f"sqlite:///{database}",
        "INSPECT_SECRET_KEY": "demo-launcher-secret-0123456789",
        "INSPECT_AUDIT_KEY": "demo-launcher-audit-0123456789",
        "INSPECT_ATTACHMENTS_DIR": str(tmp_path / "attachments"),
        "INSPECT_TASK_QUEUE_PATH": str(tmp_path / "tasks.sqlite3"),
    }
    log_path = tmp_path / "demo.log"
    with log_path.open("wb") as log:
        launcher = subprocess.Popen(
            [sys.executable, "bin/demo.py", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal's foreground job
        )
    try:
        deadline = time.monotonic() + 30
        serving = False
        while time.monotonic() < deadline and not (
            serving and "Huey consumer started" in log_path.read_text()
        ):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    serving = r.status == 200
            except OSError:
                time.sleep(0.2)
        assert serving, log_path.read_text()
        assert "Huey consumer started" in log_path.read_text()

        os.killpg(launcher.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
        assert launcher.wait(20) == 0, log_path.read_text()
        deadline = time.monotonic() + 10
        while _group_alive(launcher.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _group_alive(launcher.pid), "the web server or the worker is still running"
    finally:
        if _group_alive(launcher.pid):
            os.killpg(launcher.pid, signal.SIGKILL)
        launcher.wait()

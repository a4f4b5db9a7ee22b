"""Run the web server and the worker together; Ctrl-C (or either one ending) stops both.

    python bin/demo.py [--host 127.0.0.1] [--port 5000]

Used by ``make demo``. Both are the project's own commands (``flask run``, ``flask worker``)
started from this checkout with the same environment, so they share the database and queue.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
FLASK = str(Path(sys.executable).with_name("flask"))


def stop(processes: list[subprocess.Popen[bytes]], grace: float = 10) -> None:
    """SIGINT each one still running (their own clean stop), then SIGKILL after ``grace``."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="5000")
    args = parser.parse_args()
    processes = [
        subprocess.Popen([FLASK, "run", "--host", args.host, "--port", str(args.port)], cwd=ROOT),
        subprocess.Popen([FLASK, "worker"], cwd=ROOT),
    ]
    stopping = False

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    while not stopping and all(p.poll() is None for p in processes):
        time.sleep(0.2)
    ended = [p.args[1] for p in processes if p.poll() is not None]  # type: ignore[index]
    stop(processes)
    if ended and not stopping:
        print(f"demo: `flask {ended[0]}` stopped, so the other was stopped too", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

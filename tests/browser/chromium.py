"""How the browser tests and the tablet benchmark start Debian's Chromium (never a download)."""

from __future__ import annotations

import os

CHROMIUM = os.environ.get("INSPECT_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling Google's hosts, which this
# machine's closed network refuses; a sandbox is unavailable when running as root in CI.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

"""The inspector's offline tablet app: its shell, service worker, manifest, and QR labels.

The shell at ``/field/`` is the same for everyone (no session, no CSRF token, no user data):
the app signs in through the JSON API and keeps its device token in IndexedDB, so the shell
can be cached by the service worker and opened with no network at all.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, url_for

from inspect_app.auth import roles_required
from inspect_app.label_response import render_label
from inspect_app.services import qr_labels

bp = Blueprint("field", __name__)

#: Folders of ``static/`` that make up the offline app; everything in them is precached.
APP_DIRS = ("field", "vendor", "icons")
#: The worker's own source is served at /sw.js, never precached as a static file.
SW_SOURCE = "field/sw.js"
#: What the browser loads; licences and package notes stay in the repository only.
APP_SUFFIXES = frozenset({".js", ".css", ".png", ".svg", ".woff2"})


def _static_root() -> Path:
    return Path(str(current_app.static_folder))


def _app_files() -> list[Path]:
    root = _static_root()
    files = [
        p
        for d in APP_DIRS
        for p in sorted((root / d).rglob("*"))
        if p.is_file() and p.relative_to(root).as_posix() != SW_SOURCE and p.suffix in APP_SUFFIXES
    ]
    return files


@lru_cache(maxsize=8)
def _version_for(stamp: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256(repr(stamp).encode())
    return digest.hexdigest()[:16]


def app_version() -> str:
    """A fingerprint of the app's files: any change makes a new worker and a new cache.

    Names, sizes and modification times are enough to notice a deployment; hashing every
    byte on each worker update check would only cost time.
    """
    root = _static_root()
    template = Path(current_app.root_path, str(current_app.template_folder), "field", "index.html")
    stamp = tuple(
        (
            p.relative_to(root).as_posix() if p.is_relative_to(root) else p.name,
            p.stat().st_size,
            p.stat().st_mtime_ns,
        )
        for p in [*_app_files(), template, root / SW_SOURCE]
    )
    return _version_for(stamp)


def precache_urls() -> list[str]:
    """Every URL the app needs offline: the shell, the manifest and the static files."""
    root = _static_root()
    statics = [url_for("static", filename=p.relative_to(root).as_posix()) for p in _app_files()]
    return [url_for("field.shell"), url_for("field.manifest"), *statics]


@bp.get("/field/")
def shell() -> Response:
    html = render_template("field/index.html", version=app_version())
    response = Response(html, mimetype="text/html")
    # The worker serves the cached copy; the network copy must never be stale for it.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/sw.js")
def service_worker() -> Response:
    source = (_static_root() / SW_SOURCE).read_text(encoding="utf-8")
    prelude = (
        f"const VERSION = {json.dumps(app_version())};\n"
        f"const PRECACHE = {json.dumps(precache_urls())};\n"
        f"const SHELL = {json.dumps(url_for('field.shell'))};\n"
    )
    response = Response(prelude + source, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    icons = [
        {
            "src": url_for("static", filename=f"icons/{name}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": purpose,
        }
        for name, size, purpose in (
            ("icon-192", 192, "any"),
            ("icon-512", 512, "any"),
            ("icon-512-maskable", 512, "maskable"),
        )
    ]
    body = {
        "name": "计量现场检查 Metrology field inspection",
        "short_name": "计量检查",
        "description": "Offline inspections of market scales and prepackaged goods",
        "lang": "zh-CN",
        "start_url": url_for("field.shell"),
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "background_color": "#ffffff",
        "theme_color": "#0b2545",
        "icons": icons,
    }
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/instruments/<int:instrument_id>/label.png")
@roles_required(*qr_labels.LABEL_ROLES)
def label_png(instrument_id: int) -> Response:
    return render_label(instrument_id, "png")


@bp.get("/instruments/<int:instrument_id>/label.svg")
@roles_required(*qr_labels.LABEL_ROLES)
def label_svg(instrument_id: int) -> Response:
    return render_label(instrument_id, "svg")

"""The tablet app's shell, service worker and manifest as the browser fetches them."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient


def test_shell_is_public_and_carries_no_session_data(client: FlaskClient) -> None:
    response = client.get("/field/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'type="module" src="/static/field/app.js"' in html
    assert "csrf_token" not in html
    assert response.headers["Cache-Control"] == "no-cache"
    assert "Set-Cookie" not in response.headers


def test_shell_has_no_inline_script_style_or_handler(client: FlaskClient) -> None:
    """The shell runs under a CSP without 'unsafe-inline': scripts come from files only."""
    html = client.get("/field/").get_data(as_text=True)
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.DOTALL | re.IGNORECASE)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)
    assert not re.search(r"\son[a-z]+\s*=", html, re.IGNORECASE)  # onclick= and the like
    assert not re.search(r"\sstyle\s*=", html, re.IGNORECASE)
    assert "<style" not in html.lower()


def test_service_worker_controls_the_whole_site_and_is_never_cached(client: FlaskClient) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    assert body.startswith("const VERSION = ")
    precache = body.split("const PRECACHE = ", 1)[1].split(";\n", 1)[0]
    for url in (
        "/field/",
        "/manifest.webmanifest",
        "/static/field/app.js",
        "/static/field/metrology.js",
        # the modules that broke the import cycle and the shared answer walker
        "/static/field/router.js",
        "/static/field/events.js",
        "/static/field/answers.js",
        "/static/field/settings.js",
        "/static/field/device.js",
        "/static/field/screens/inspect.js",
        "/static/vendor/jsqr/jsQR.js",
        "/static/icons/icon-192.png",
    ):
        assert f'"{url}"' in precache
    assert "/static/field/sw.js" not in precache  # served at /sw.js only
    assert "LICENSE" not in precache


def test_worker_version_changes_when_an_app_file_changes(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    # A copy of static/, so the test never writes into the checkout.
    shutil.copytree(Path(str(app.static_folder)), tmp_path / "static")
    app.static_folder = str(tmp_path / "static")
    first = client.get("/sw.js").get_data(as_text=True).splitlines()[0]
    (tmp_path / "static" / "field" / "zz-version-probe.js").write_text("// probe\n")
    second = client.get("/sw.js").get_data(as_text=True).splitlines()[0]
    assert first != second


def test_manifest_makes_an_installable_app(client: FlaskClient) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["start_url"] == "/field/"
    assert manifest["display"] == "standalone"
    assert manifest["name"] and manifest["short_name"]
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        icon_response = client.get(icon["src"])
        assert icon_response.status_code == 200
        assert icon_response.mimetype == "image/png"
        icon_response.close()

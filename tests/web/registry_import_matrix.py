"""Bodies and judges for the registry-import rows of the authorisation matrix
(tests/web/test_authorisation_matrix.py).

An upload by an allowed role always succeeds (303 to its preview); scope shows in the report:
a market outside the importer's district is reported unknown. A preview or commit belongs to
the session that uploaded the file: the admin's upload is the admin's, anyone else gets 404.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import weakref
from itertools import count
from typing import Any

from werkzeug.test import TestResponse

from inspect_app.models.user import Role
from tests.conftest import csrf_from
from tests.registry_import_files import csv_bytes, row

PAGE = "/registry/import"
_serial = count(1)


def _uploads_dir(w: Any) -> None:
    """Keep the matrix's uploads out of the checkout's instance folder."""
    if not w.app.config.get("REGISTRY_IMPORT_DIR"):
        folder = tempfile.mkdtemp(prefix="registry-imports-")
        w.app.config["REGISTRY_IMPORT_DIR"] = folder
        weakref.finalize(w.app, shutil.rmtree, folder, True)


def _file(w: Any, rel: str) -> tuple[io.BytesIO, str]:
    data = csv_bytes([row(w.markets[rel].code, 500 + next(_serial))])
    return io.BytesIO(data), "registry.csv"


def upload_body(w: Any, rel: str) -> dict[str, Any]:
    _uploads_dir(w)
    return {"file": _file(w, rel)}


def judge_upload(w: Any, role: Role, rel: str, response: TestResponse) -> str | None:
    if response.status_code != 303:
        return f"upload answered {response.status_code}"
    page = w.client(role).get(response.headers["Location"]).get_data(as_text=True)
    unknown = 'data-code="MARKET_UNKNOWN"' in page
    in_scope = role == Role.ADMIN or rel != "other_district"
    if unknown == in_scope:
        return f"market of {rel} {'unknown' if unknown else 'usable'} to {role}"
    return None


def admins_upload(w: Any, _rel: str) -> str:
    """The preview address of a fresh upload by the admin's session."""
    _uploads_dir(w)
    client = w.client(Role.ADMIN)
    response = client.post(
        PAGE, data={"csrf_token": csrf_from(client, PAGE), "file": _file(w, "own")}
    )
    assert response.status_code == 303, response.status_code
    return str(response.headers["Location"])


def judge_admins_upload(w: Any, role: Role, rel: str, response: TestResponse) -> str | None:
    if role == Role.ADMIN:
        ok = response.status_code < 400
        return None if ok else f"the uploader got {response.status_code}"
    ok = response.status_code == 404
    return None if ok else f"another session got {response.status_code}, expected 404"

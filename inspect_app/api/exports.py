"""``GET /api/v1/exports/…``: a period's inspections and findings as CSV, XLSX and GeoJSON.

Supervisors (their district) and admins; the same query as the dashboard summary
(``from``, ``to``, optional ``region``, ``market``, ``form``). Each request writes its audit
entry first (committed with the request), then the body streams from a connection of its own
outside the request (``services/exports.stream``): a long download never holds SQLite's write
lock, and a client that goes away closes the cursor. docs/dashboards.md, "Exports".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from flask import Response, request

from inspect_app.api import bp
from inspect_app.api.dashboard import SUPERVISION, period_filter
from inspect_app.auth import require_user, user_required
from inspect_app.extensions import db
from inspect_app.services import export_files, exports
from inspect_app.services.dashboard import Filter, Period

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GEOJSON = "application/geo+json"


def _download(
    name: str, mimetype: str, body: Callable[[Filter, Period], Iterator[bytes]]
) -> Response:
    user = require_user()
    flt, period = period_filter(user)
    if request.method != "HEAD":  # a HEAD request sends no rows: nothing was exported
        exports.record(user, name, flt, period)
    stem, _, ext = name.partition(".")
    filename = f"{stem}_{period.start.isoformat()}_{period.end.isoformat()}.{ext}"
    response = Response(body(flt, period), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _inspection_rows(flt: Filter, period: Period) -> Iterator[list[Any]]:
    engine = db.engine
    query = exports.inspections_query(flt, period)
    return (exports.inspection_values(row) for row in exports.stream(engine, query))


def _finding_rows(flt: Filter, period: Period, located_only: bool = False) -> Iterator[list[Any]]:
    engine = db.engine
    query = exports.findings_query(flt, period, located_only)
    return (exports.finding_values(row) for row in exports.stream(engine, query))


def _xlsx(title: str, header: tuple[str, ...], rows: Iterator[list[Any]]) -> Iterator[bytes]:
    # Built when the body is first read (outside the request), then sent from the file.
    yield from export_files.file_chunks(export_files.xlsx_file(title, header, rows))


@bp.get("/exports/inspections.csv")
@user_required(*SUPERVISION)
def export_inspections_csv() -> Response:
    return _download(
        "inspections.csv",
        CSV,
        lambda f, p: export_files.csv_chunks(exports.INSPECTION_HEADER, _inspection_rows(f, p)),
    )


@bp.get("/exports/inspections.xlsx")
@user_required(*SUPERVISION)
def export_inspections_xlsx() -> Response:
    return _download(
        "inspections.xlsx",
        XLSX,
        lambda f, p: _xlsx("inspections", exports.INSPECTION_HEADER, _inspection_rows(f, p)),
    )


@bp.get("/exports/findings.csv")
@user_required(*SUPERVISION)
def export_findings_csv() -> Response:
    return _download(
        "findings.csv",
        CSV,
        lambda f, p: export_files.csv_chunks(exports.FINDING_HEADER, _finding_rows(f, p)),
    )


@bp.get("/exports/findings.xlsx")
@user_required(*SUPERVISION)
def export_findings_xlsx() -> Response:
    return _download(
        "findings.xlsx",
        XLSX,
        lambda f, p: _xlsx("findings", exports.FINDING_HEADER, _finding_rows(f, p)),
    )


@bp.get("/exports/findings.geojson")
@user_required(*SUPERVISION)
def export_findings_geojson() -> Response:
    return _download(
        "findings.geojson",
        GEOJSON,
        lambda f, p: export_files.geojson_chunks(
            exports.FINDING_HEADER, _finding_rows(f, p, located_only=True)
        ),
    )

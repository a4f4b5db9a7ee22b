"""Rows of the authorisation matrix (tests/web/test_authorisation_matrix.py) for the honesty
grade: the API, the merchant's breakdown, the district's grades and the public explainer."""

from __future__ import annotations

from typing import Any

from werkzeug.test import TestResponse

from inspect_app.models.user import Role


def _sees_district_list(role: Role, rel: str) -> bool:
    return role == Role.ADMIN or (role == Role.SUPERVISOR and rel != "other_district")


def judge_district(w: Any, role: Role, rel: str, response: TestResponse) -> str | None:
    """The list shows the merchants of the caller's district (admins: all), no others."""
    if response.status_code != 200:
        return f"answered {response.status_code}"
    listed = f'data-merchant="{w.merchants[rel].id}"' in response.get_data(as_text=True)
    if listed != _sees_district_list(role, rel):
        return f"merchant of {rel} {'listed' if listed else 'missing'}"
    return None


def rows(row: Any, call: Any, public: str, signed_in: set[Role]) -> dict[str, Any]:
    """``{endpoint: Row}`` built with the matrix's own ``Row`` and ``Call`` classes."""

    def merchant(template: str) -> Any:
        return lambda w, rel: template.format(w.merchants[rel].id)

    supervisors = {Role.SUPERVISOR, Role.ADMIN}
    return {
        "api.merchant_credit": row(
            call(True, "GET", merchant("/api/v1/merchants/{}/credit")), signed_in, scoped=True
        ),
        "credit.breakdown": row(
            call(False, "GET", merchant("/merchants/{}/credit")), signed_in, scoped=True
        ),
        "credit.district": row(
            call(False, "GET", lambda w, rel: "/supervisor/grades"),
            supervisors,
            scoped=True,
            judge=judge_district,
        ),
        "grades.explainer": row(call(False, "GET", lambda w, rel: "/grades"), public),
    }

"""Property-based fuzzing of every documented API operation: never a server error, and
every answer is one the document declares.

Schemathesis generates requests from /api/v1/openapi.json, valid ones and (negative mode)
ones that break the document, and sends them to the app in-process with a real inspector
token. Derandomised, so a run is repeatable. Found before it was a test: a pull cursor
beyond 64 bits answered 500 on SQLite.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from inspect_app.models import Instrument, User
from inspect_app.models.user import Role

EXAMPLES_PER_OPERATION = {GenerationMode.POSITIVE: 150, GenerationMode.NEGATIVE: 75}
#: Never a 5xx; the status, media type, headers and body are ones the document declares.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.mark.parametrize("mode", list(EXAMPLES_PER_OPERATION), ids=str)
def test_every_operation_answers_as_documented(
    app: Flask,
    make_user: Callable[..., User],
    make_instrument: Callable[..., Instrument],
    token_for: Callable[[User], dict[str, str]],
    mode: GenerationMode,
) -> None:
    make_instrument()
    headers = token_for(make_user(Role.INSPECTOR))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    tested = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() == "DELETE":
            continue  # signing the device out would end the run's authentication

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION[mode],
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        exercise()
        tested.append(f"{operation.method.upper()} {operation.path}")
    assert "POST /api/v1/sync/push" in tested and len(tested) >= 10

"""/api/v1/openapi.json is generated from the routes, the marshmallow schemas and the error
catalogue; these tests keep the hand-written part (one operation per endpoint) honest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jsonschema_rs
import pytest
from flask import Flask
from flask.testing import FlaskClient
from marshmallow import Schema, fields

from inspect_app.api.openapi import ITEMS, OPERATIONS, SCHEMAS, api_rules, openapi_path
from inspect_app.errors import CATALOGUE
from inspect_app.models import Instrument, User
from inspect_app.models.user import Role
from inspect_app.schemas.sync import InspectionIn, PushBatchIn
from tests.payloads import item, scale_answers


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec: dict[str, Any] = response.get_json()
    return spec


def conforms(document: dict[str, Any], name: str, body: Any) -> list[str]:
    """Why ``body`` does not match ``components.schemas[name]`` (empty when it does)."""
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    validator = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
    return [str(error) for error in validator.iter_errors(body)]


def test_openapi_lists_every_api_route(app: Flask, document: dict[str, Any]) -> None:
    documented = {
        (method.upper(), path) for path, ops in document["paths"].items() for method in ops
    }
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        routes |= {(method, path) for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}
    assert routes - documented == set(), "routes without an entry in api/openapi.py OPERATIONS"
    assert documented == routes


def test_every_operation_belongs_to_a_route(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in api_rules(app.url_map)}
    assert set(OPERATIONS) - endpoints == set(), "stale entries in OPERATIONS"


def test_path_parameters_follow_the_url_map(app: Flask, document: dict[str, Any]) -> None:
    for rule in api_rules(app.url_map):
        path, parameters = openapi_path(rule)
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            operation = document["paths"][path][method.lower()]
            in_path = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert in_path == set(rule.arguments) == {p["name"] for p in parameters}
    label = document["paths"]["/api/v1/instruments/{instrument_id}/label.png"]["get"]
    assert label["parameters"][0]["schema"]["type"] == "integer"


def test_error_codes_come_from_the_catalogue(document: dict[str, Any]) -> None:
    error = document["components"]["schemas"]["Error"]
    assert error["properties"]["code"]["enum"] == sorted(CATALOGUE)
    assert set(error["required"]) == {"code", "message"}
    for status in {p.status for p in CATALOGUE.values()}:
        response = document["components"]["responses"][f"Error{status}"]
        schema = response["content"]["application/json"]["schema"]
        codes = {p.code for p in CATALOGUE.values() if p.status == status}
        assert set(schema["properties"]["code"]["enum"]) == codes
    push = document["paths"]["/api/v1/sync/push"]["post"]["responses"]
    assert push["422"] == {"$ref": "#/components/responses/Error422"}
    assert "200" in push and "500" not in push


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
            return own + [r for value in node.values() for r in refs(value)]
        if isinstance(node, list):
            return [r for value in node for r in refs(value)]
        return []

    found = refs(document)
    assert "#/components/responses/Error401" in found
    for ref in found:
        _, section, kind, name = ref.split("/")
        assert name in document[section][kind], ref


def _wire_names(schema: type[Schema], *, loading: bool) -> tuple[set[str], set[str]]:
    """(every field, required fields) as a client sees them."""
    declared = {
        name: field
        for name, field in schema().fields.items()
        if not (field.dump_only if loading else field.load_only)
    }
    names = {field.data_key or name for name, field in declared.items()}
    required = {field.data_key or name for name, field in declared.items() if field.required}
    return names, required


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_documented_schema_matches_marshmallow(document: dict[str, Any], name: str) -> None:
    schema = SCHEMAS[name]
    published = document["components"]["schemas"][name]
    names, required = _wire_names(schema, loading=name.endswith("In"))
    assert set(published["properties"]) == names
    assert set(published.get("required", [])) == required
    assert published["additionalProperties"] is False  # unknown fields are refused


def test_inspection_in_is_documented_field_by_field(document: dict[str, Any]) -> None:
    published = document["components"]["schemas"]["InspectionIn"]
    assert set(published["properties"]) == set(InspectionIn().fields)
    assert set(published["required"]) == {
        name for name, field in InspectionIn().fields.items() if field.required
    }
    assert published["properties"]["geotag"]["anyOf"] == [
        {"$ref": "#/components/schemas/GeotagIn"},
        {"type": "null"},
    ]
    assert published["properties"]["client_verdict"]["enum"] == ["pass", "fail", None]


def test_push_batch_items_are_documented_as_inspection_in(document: dict[str, Any]) -> None:
    # The schema loads raw items (one bad item must not sink the batch); the document says
    # what a client has to send.
    field = PushBatchIn().fields["inspections"]
    assert isinstance(field, fields.List) and type(field.inner) is fields.Raw
    assert SCHEMAS[ITEMS[("PushBatchIn", "inspections")]] is InspectionIn
    inspections = document["components"]["schemas"]["PushBatchIn"]["properties"]["inspections"]
    assert inspections["items"] == {"$ref": "#/components/schemas/InspectionIn"}
    assert (inspections["minItems"], inspections["maxItems"]) == (1, 500)
    body = document["paths"]["/api/v1/sync/push"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PushBatchIn"
    }


def test_a_valid_push_conforms_to_the_document(document: dict[str, Any], field: Any) -> None:
    sent = item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code))
    assert conforms(document, "PushBatchIn", {"inspections": [sent]}) == []
    assert conforms(document, "PushBatchIn", {"inspections": [{"uuid": "x"}]}) != []
    results = field.push(sent, {"uuid": "x"})
    assert [r["status"] for r in results] == ["created", "rejected"]
    assert conforms(document, "PushResultsOut", {"results": results}) == []


def test_answers_conform_to_the_document(
    client: FlaskClient,
    document: dict[str, Any],
    make_user: Callable[..., User],
    make_instrument: Callable[..., Instrument],
    token_for: Callable[[User], dict[str, str]],
) -> None:
    make_instrument()
    headers = token_for(make_user(Role.INSPECTOR))
    for path, name in [
        ("/api/v1/me", "MeOut"),
        ("/api/v1/sync/pull", "PullPageOut"),
        ("/api/v1/forms", "FormManifestOut"),
        ("/api/v1/violations", "ViolationsOut"),
        ("/api/v1/sync/pull?limit=0", "Error"),
    ]:
        body = client.get(path, headers=headers).get_json()
        assert conforms(document, name, body) == [], path
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert set(me) == {"user", "device_id", "rule_pack", "time_zone"}
    assert me["user"]["role"] == "inspector"
    pulled = client.get("/api/v1/sync/pull", headers=headers).get_json()
    assert pulled["changes"], "the fixture's instrument should be pulled"

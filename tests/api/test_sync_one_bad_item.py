"""One malformed item in a batch is rejected on its own; every other item is stored.

The property: build a batch of 5 to 20 distinct valid items (scale and prepackage
inspections), break one of them in one way, push. The answer is HTTP 200, the broken item is
``rejected`` with a catalogue code that says what is wrong (never the catch-all
``ITEM_UNPROCESSABLE``: each malformation has its own clear answer), and every other item is
``created``. Each example pushes fresh uuids, so examples never see each other's records
(the ``app`` fixture empties the database per test function, not per example).

Runs on SQLite and on PostgreSQL: ``INSPECT_TEST_DATABASE=postgresql``.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, event, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import exc as sa_exc

from inspect_app.errors import CATALOGUE
from inspect_app.extensions import db
from inspect_app.models import Inspection
from inspect_app.schemas.common import MAX_BATCH_JSON_DEPTH, MAX_JSON_INT, json_problems
from inspect_app.schemas.sync import MAX_ITEM_DEPTH
from inspect_app.services import sync_push
from inspect_app.services.inspection_record import PushItem, build_inspection
from tests.api.conftest import Field
from tests.payloads import item, prepack_answers, scale_answers

#: Examples of the batch property per mutation (each pushes one batch of 5 to 20 items).
EXAMPLES_PER_MUTATION = 20

# ---------------------------------------------------------------- valid items


def _valid(field: Field, kind: str) -> dict[str, Any]:
    """A valid item with every optional envelope key filled, so there is more to break."""
    captured = datetime.now(UTC) - timedelta(minutes=2)
    optional: dict[str, Any] = {
        "started_at": (captured - timedelta(minutes=5)).isoformat(),
        "geotag": {
            "lat": 40.8561,
            "lon": 111.6841,
            "accuracy": 8.0,
            "altitude": 1050.5,
            "fix_at": captured.isoformat(),
        },
        "captured_at": captured.isoformat(),
        "client_verdict": "pass",
    }
    if kind == "scale":
        return item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code), **optional)
    answers = prepack_answers(field.merchant.id, brand="五常 Wuchang", batch_code="2026-05")
    return item("prepackaged_goods", answers, **optional)


# ---------------------------------------------------------------- walking an item

Slot = tuple[Any, Any]  # (container, key or index): one place in the item


def _slots(value: Any) -> Iterator[Slot]:
    """Every (container, key) below ``value``, depth first."""
    children = value.items() if isinstance(value, dict) else enumerate(value)
    for key, child in list(children):
        yield value, key
        if isinstance(child, dict | list):
            yield from _slots(child)


def _leaves(body: dict[str, Any], kinds: tuple[type, ...]) -> list[Slot]:
    return [
        (c, k)
        for c, k in _slots(body)
        if isinstance(c[k], kinds) and not (bool not in kinds and isinstance(c[k], bool))
    ]


def _dicts(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [body, *(c[k] for c, k in _slots(body) if isinstance(c[k], dict))]


def _label(container: Any, key: Any) -> str:
    return f"{type(container).__name__}[{key!r}]"


# ---------------------------------------------------------------- mutations
#
# Each takes hypothesis's ``draw`` and a valid item, breaks the item in place, and returns a
# short description for the failure report. Every one of them must make the item invalid.

Draw = Callable[[st.SearchStrategy[Any]], Any]

SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
CALENDAR_EDGES = [
    "9999-12-31T23:59:59-12:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59.999999+00:00",
    "0001-01-01T00:00:00Z",
    "1970-01-01T00:00:00Z",
    "1999-12-31T23:59:59.999999Z",
    "2100-01-01T00:00:00Z",
    "2099-12-31T20:00:00-08:00",
]
OFFSETS = st.builds(
    lambda minutes: timezone(timedelta(minutes=minutes)),
    st.integers(-(23 * 60 + 59), 23 * 60 + 59),
)
#: Any code point, lone surrogates and NUL included (``characters()`` leaves surrogates out).
ANY_CHAR = st.characters(categories=["L", "M", "N", "P", "S", "Z", "C"])
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(ANY_CHAR, max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(ANY_CHAR, max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


def _insert(draw: Draw, text: str, char: str) -> str:
    at = draw(st.integers(0, len(text)))
    return text[:at] + char + text[at:]


def _bad_char_in_string(char: st.SearchStrategy[str]) -> Callable[[Draw, dict[str, Any]], str]:
    def mutate(draw: Draw, body: dict[str, Any]) -> str:
        container, key = draw(st.sampled_from(_leaves(body, (str,))))
        container[key] = _insert(draw, container[key], draw(char))
        return f"bad character in the string at {_label(container, key)}"

    return mutate


def _bad_char_in_key(char: st.SearchStrategy[str]) -> Callable[[Draw, dict[str, Any]], str]:
    def mutate(draw: Draw, body: dict[str, Any]) -> str:
        target = draw(st.sampled_from([d for d in _dicts(body) if d]))
        key = draw(st.sampled_from(sorted(target)))
        target[_insert(draw, key, draw(char))] = target.pop(key)
        return f"bad character in the key {key!r}"

    return mutate


def _out_of_range_instant(value: datetime) -> bool:
    try:
        return (
            not datetime(2000, 1, 1, tzinfo=UTC)
            <= value.astimezone(UTC)
            < datetime(2100, 1, 1, tzinfo=UTC)
        )
    except OverflowError:
        return True


def calendar_edge(draw: Draw, body: dict[str, Any]) -> str:
    where = draw(st.sampled_from(["captured_at", "started_at", "fix_at"]))
    value = draw(
        st.sampled_from(CALENDAR_EDGES)
        | st.datetimes(timezones=OFFSETS).filter(_out_of_range_instant).map(datetime.isoformat)
    )
    (body["geotag"] if where == "fix_at" else body)[where] = value
    return f"{where} = {value}"


def huge_number(draw: Draw, body: dict[str, Any]) -> str:
    container, key = draw(st.sampled_from(_leaves(body, (int, float))))
    container[key] = draw(
        st.integers(min_value=10**15, max_value=2**300)
        | st.integers(min_value=-(2**300), max_value=-(10**15))
        | st.floats(min_value=1e15, allow_infinity=False)
        | st.floats(max_value=-1e15, allow_infinity=False)
    )
    return f"{_label(container, key)} = {container[key]!r}"


def not_a_number(draw: Draw, body: dict[str, Any]) -> str:
    container, key = draw(st.sampled_from(_leaves(body, (int, float))))
    container[key] = draw(
        st.sampled_from([float("nan"), float("inf"), float("-inf")])
        | st.sampled_from(["NaN", "nan", "Infinity", "-Infinity", "inf", "1e999", "-1e999"])
    )
    return f"{_label(container, key)} = {container[key]!r}"


def wrong_type(draw: Draw, body: dict[str, Any]) -> str:
    container, key = draw(st.sampled_from(list(_slots(body))))
    # Never blank ([] / "" / null mean "not answered"), never of the kind the slot takes.
    container[key] = "x" if isinstance(container[key], dict | list) else {"x": 1}
    return f"{_label(container, key)} of the wrong type"


def deep_nesting(draw: Draw, body: dict[str, Any]) -> str:
    container, key = draw(st.sampled_from(_leaves(body, (str, int, float, bool))))
    depth = draw(st.integers(1, 3) | st.integers(MAX_ITEM_DEPTH - 5, 200))
    value: Any = container[key]
    for wrap in draw(st.lists(st.booleans(), min_size=depth, max_size=depth)):
        value = {"x": value} if wrap else [value]
    container[key] = value
    return f"{_label(container, key)} nested {depth} levels"


def unknown_key(draw: Draw, body: dict[str, Any]) -> str:
    target = draw(st.sampled_from(_dicts(body)))
    key = "zz_" + draw(st.text(ANY_CHAR, max_size=12))
    target[key] = draw(JSON)
    return f"unknown key {key!r}"


REQUIRED = ["uuid", "form_key", "form_version", "captured_at", "geotag", "answers"]
REQUIRED_ANSWERS = ["merchant", "inspection_obstructed", "instrument", "product_name"]


def missing_required(draw: Draw, body: dict[str, Any]) -> str:
    places = [(body, k) for k in REQUIRED]
    places += [(body["geotag"], k) for k in ("lat", "lon", "accuracy")]
    places += [(body["answers"], k) for k in REQUIRED_ANSWERS if k in body["answers"]]
    container, key = draw(st.sampled_from(places))
    del container[key]
    return f"{key} missing"


def overlong_string(draw: Draw, body: dict[str, Any]) -> str:
    container, key = draw(st.sampled_from(_leaves(body, (str,))))
    char = draw(st.sampled_from(["x", "7", "秤", "-"]))
    container[key] = char * draw(st.integers(2_001, 20_000))
    return f"{_label(container, key)} of {len(container[key])} characters"


def _not_a_uuid(text: str) -> bool:
    try:
        uuid.UUID(text.strip())
    except ValueError:
        return True
    return False


def invalid_uuid(draw: Draw, body: dict[str, Any]) -> str:
    where = draw(st.sampled_from(["uuid", "supersedes"]))
    body[where] = draw(
        st.text(ANY_CHAR, max_size=40).filter(_not_a_uuid)
        | st.just(str(uuid.uuid4())[:-1])
        | st.just(str(uuid.uuid4()) + "0")
    )
    return f"{where} = {body[where]!r}"


def unknown_reference(draw: Draw, body: dict[str, Any]) -> str:
    choices = ["merchant", "supersedes", "form_key", "form_version"]
    if "instrument" in body["answers"]:
        choices.append("instrument")
    where = draw(st.sampled_from(choices))
    if where == "merchant":
        body["answers"]["merchant"] = draw(st.integers(10**9, MAX_JSON_INT))
    elif where == "instrument":
        body["answers"]["instrument"] = "NOPE-" + draw(st.text("0123456789", min_size=3))
    elif where == "supersedes":
        body["supersedes"] = str(uuid.uuid4())
    elif where == "form_key":
        body["form_key"] = "no_such_form"
    else:
        body["form_version"] = draw(st.integers(2, 10_000))
    return f"unknown {where}"


def bad_measurement(draw: Draw, body: dict[str, Any]) -> str:
    answers = body["answers"]
    if "test_points" in answers:  # above the scale's Max of 15 kg
        load = draw(st.integers(15_001, 10**6))
        answers["test_points"] = [{"load": load, "indication": load}]
        return f"test load {load} g above Max"
    size = draw(st.integers(1, 49))  # the plan samples 50 of a lot of 120
    answers["sample"] = answers["sample"][:size]
    return f"sample of {size} instead of 50"


def not_an_object(draw: Draw, body: dict[str, Any]) -> str:
    replacement = draw(JSON.filter(lambda v: not isinstance(v, dict)) | st.just({}))
    body.clear()
    body["__replace__"] = replacement
    return f"the item is {replacement!r}"


MUTATIONS: dict[str, Callable[[Draw, dict[str, Any]], str]] = {
    "lone surrogate in a string": _bad_char_in_string(SURROGATES),
    "lone surrogate in a key": _bad_char_in_key(SURROGATES),
    "NUL in a string": _bad_char_in_string(st.just("\x00")),
    "NUL in a key": _bad_char_in_key(st.just("\x00")),
    "calendar edge": calendar_edge,
    "huge number": huge_number,
    "NaN or infinity": not_a_number,
    "wrong type": wrong_type,
    "deep nesting": deep_nesting,
    "unknown key": unknown_key,
    "missing required field": missing_required,
    "overlong string": overlong_string,
    "invalid uuid": invalid_uuid,
    "unknown reference": unknown_reference,
    "measurement the engine refuses": bad_measurement,
    "not an item object": not_an_object,
}


# ---------------------------------------------------------------- the property


def _push(field: Field, batch: list[Any]) -> Any:
    return field.client.post(
        "/api/v1/sync/push",
        json={"inspections": batch},
        headers=field.headers | {"Accept-Language": "en"},
    )


def _stored(uuids: list[str]) -> set[str]:
    return set(db.session.scalars(db.select(Inspection.uuid).where(Inspection.uuid.in_(uuids))))


def _assert_one_rejected(response: Any, batch: list[Any], bad: int) -> dict[str, Any]:
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    results = response.get_json()["results"]
    assert len(results) == len(batch)
    for index, (sent, result) in enumerate(zip(batch, results, strict=True)):
        if index != bad:
            assert (result["uuid"], result["status"]) == (sent["uuid"], "created"), result
    rejected: dict[str, Any] = results[bad]
    assert rejected["status"] == "rejected", rejected
    assert rejected["code"] in CATALOGUE and rejected["message"], rejected
    if rejected["code"] == "VALIDATION_FAILED":
        assert rejected["errors"], rejected
    good = [sent["uuid"] for index, sent in enumerate(batch) if index != bad]
    assert _stored(good) == set(good)
    return rejected


@pytest.mark.parametrize("name", sorted(MUTATIONS))
@given(
    kinds=st.lists(st.sampled_from(["scale", "prepack"]), min_size=5, max_size=20),
    data=st.data(),
)
@settings(
    max_examples=EXAMPLES_PER_MUTATION,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
def test_one_mutated_item_is_rejected_and_every_other_one_is_created(
    field: Field, name: str, kinds: list[str], data: st.DataObject
) -> None:
    batch: list[Any] = [_valid(field, kind) for kind in kinds]
    bad = data.draw(st.integers(0, len(batch) - 1), label="bad index")
    description = MUTATIONS[name](data.draw, batch[bad])
    if "__replace__" in batch[bad]:
        batch[bad] = batch[bad]["__replace__"]
    event(description.split(" ")[0])
    note(f"{name}: {description}")
    rejected = _assert_one_rejected(_push(field, batch), batch, bad)
    # Each malformation has a clear answer; the catch-all is for what nobody foresaw.
    assert rejected["code"] != "ITEM_UNPROCESSABLE", rejected
    claimed = batch[bad].get("uuid") if isinstance(batch[bad], dict) else None
    if isinstance(claimed, str) and not _not_a_uuid(claimed):
        assert not _stored([claimed])


# ---------------------------------------------------------------- the cases the issue names


def _one_bad(field: Field, mutate: Callable[[dict[str, Any]], None], kind: str = "prepack") -> Any:
    """Push [scale, <kind> broken by ``mutate``, prepack]; the middle one's result."""
    batch = [_valid(field, "scale"), _valid(field, kind), _valid(field, "prepack")]
    mutate(batch[1])
    return _assert_one_rejected(_push(field, batch), batch, 1)


@pytest.mark.parametrize("instant", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"])
@pytest.mark.parametrize("where", ["captured_at", "started_at", "fix_at"])
def test_instants_at_the_edges_of_the_calendar_are_rejected(
    field: Field, instant: str, where: str
) -> None:
    def mutate(body: dict[str, Any]) -> None:
        (body["geotag"] if where == "fix_at" else body)[where] = instant

    rejected = _one_bad(field, mutate)
    assert rejected["code"] == "VALIDATION_FAILED"
    errors = rejected["errors"]["geotag"] if where == "fix_at" else rejected["errors"]
    assert errors[where] == ["must lie between 2000-01-01T00:00:00Z and 2099-12-31T23:59:59Z"]


def test_the_first_and_last_instants_of_the_window_are_accepted(field: Field) -> None:
    batch = [_valid(field, "scale"), _valid(field, "prepack")]
    batch[0]["started_at"] = "2000-01-01T08:00:00+08:00"  # 2000-01-01T00:00:00Z
    batch[1]["geotag"]["fix_at"] = "2099-12-31T23:59:59.999999Z"
    assert [r["status"] for r in field.push(*batch)] == ["created", "created"]


def test_a_lone_surrogate_in_an_answer_is_rejected_by_path(field: Field) -> None:
    rejected = _one_bad(field, lambda body: body["answers"].update(brand="Wu\ud800chang"))
    assert rejected["code"] == "VALIDATION_FAILED"
    assert rejected["errors"] == {
        "brand": ["contains an unpaired UTF-16 surrogate (U+D800 to U+DFFF), which is not text"]
    }


def test_a_lone_surrogate_in_an_answer_key_is_rejected(field: Field) -> None:
    rejected = _one_bad(field, lambda body: body["answers"].update({"\udc80note": "x"}))
    assert rejected["errors"] == {
        "\\udc80note": ["this key contains an unpaired UTF-16 surrogate (U+D800 to U+DFFF)"]
    }


def test_a_nul_in_an_answer_is_rejected_by_path(field: Field) -> None:
    def mutate(body: dict[str, Any]) -> None:
        body["answers"]["sample"][3]["net"] = "50\x0000"

    rejected = _one_bad(field, mutate)
    assert rejected["errors"] == {"sample.3.net": ["must not contain the NUL character (U+0000)"]}


def test_a_nul_in_an_answer_key_is_rejected(field: Field) -> None:
    rejected = _one_bad(field, lambda body: body["answers"].update({"brand\x00": "x"}))
    assert rejected["errors"] == {
        "brand\\u0000": ["this key must not contain the NUL character (U+0000)"]
    }


def test_a_nul_in_the_form_key_is_rejected(field: Field) -> None:
    rejected = _one_bad(field, lambda body: body.update(form_key="bazaar_scale\x00"), "scale")
    assert rejected["errors"] == {"form_key": ["must not contain the NUL character (U+0000)"]}


def test_the_messages_follow_the_language_of_the_request(field: Field) -> None:
    batch = [_valid(field, "prepack"), _valid(field, "scale")]
    batch[0]["answers"]["brand"] = "\x00"
    response = field.client.post(
        "/api/v1/sync/push",
        json={"inspections": batch},
        headers=field.headers | {"Accept-Language": "zh-CN"},
    )
    rejected = _assert_one_rejected(response, batch, 0)
    assert rejected["errors"] == {"brand": ["不得包含 NUL 字符（U+0000）"]}


def test_json_nan_and_infinity_are_rejected(field: Field) -> None:
    def mutate(body: dict[str, Any]) -> None:
        body["geotag"]["altitude"] = float("inf")
        body["answers"]["nominal"] = float("nan")

    rejected = _one_bad(field, mutate)
    finite = ["must be a finite number (NaN and infinities are not numbers)"]
    assert rejected["errors"] == {"geotag.altitude": finite, "nominal": finite}


def test_an_integer_too_long_for_python_rejects_its_item_not_the_batch(field: Field) -> None:
    """Python refuses to convert integer literals of more than 4300 digits (CVE-2020-10735);
    that one number must not make the whole batch unreadable."""
    batch = [_valid(field, "prepack") for _ in range(3)]
    batch[1]["answers"]["lot_size"] = "@HUGE@"
    raw = json.dumps({"inspections": batch}).replace('"@HUGE@"', "9" * 5000)
    response = field.client.post(
        "/api/v1/sync/push",
        data=raw,
        content_type="application/json",
        headers=field.headers | {"Accept-Language": "en"},
    )
    rejected = _assert_one_rejected(response, batch, 1)
    assert rejected["errors"] == {
        "lot_size": [f"integer out of range (at most {MAX_JSON_INT} in magnitude)"]
    }


def test_an_integer_beyond_64_bits_is_rejected(field: Field) -> None:
    rejected = _one_bad(field, lambda body: body["answers"].update(merchant=2**64))
    assert rejected["errors"] == {
        "merchant": [f"integer out of range (at most {MAX_JSON_INT} in magnitude)"]
    }


def test_an_over_nested_item_is_rejected_alone(field: Field) -> None:
    def mutate(body: dict[str, Any]) -> None:
        value: Any = 1
        for _ in range(100):
            value = [value]
        body["answers"]["brand"] = value

    rejected = _one_bad(field, mutate)
    [(path, messages)] = rejected["errors"].items()
    assert messages == [f"nested more than {MAX_ITEM_DEPTH} levels deep"]
    assert path.startswith("brand.0.0.")


def test_a_batch_nested_beyond_the_batch_bound_is_refused_whole(field: Field) -> None:
    value: Any = 1
    for _ in range(MAX_BATCH_JSON_DEPTH):
        value = [value]
    response = field.client.post(
        "/api/v1/sync/push", json={"inspections": [value]}, headers=field.headers
    )
    assert (response.status_code, response.get_json()["code"]) == (400, "INVALID_JSON")


def test_a_garbage_uuid_is_echoed_escaped(field: Field) -> None:
    rejected = _one_bad(field, lambda body: body.update(uuid="\ud800\x00" + "x" * 100))
    assert rejected["uuid"] == "\\ud800\\u0000" + "x" * 62


def test_a_batch_of_500_with_one_bad_item_stores_499(field: Field) -> None:
    batch = [_valid(field, "scale" if n % 3 else "prepack") for n in range(500)]
    batch[250]["answers"]["inspection_obstructed"] = "\ud83d"  # half an emoji
    rejected = _assert_one_rejected(_push(field, batch), batch, 250)
    assert rejected["errors"] == {
        "inspection_obstructed": [
            "contains an unpaired UTF-16 surrogate (U+D800 to U+DFFF), which is not text"
        ]
    }
    assert db.session.scalar(db.select(db.func.count(Inspection.id))) == 499


# ---------------------------------------------------------------- the last line of defence


def _failing_for(target: str, fail: Callable[[Any], Any]) -> Callable[..., Any]:
    """``build_inspection`` that calls ``fail(inspection)`` for the item ``target``."""

    def build(*args: Any, **kwargs: Any) -> Any:
        inspection = build_inspection(*args, **kwargs)
        if inspection.uuid == target:
            fail(inspection)
        return inspection

    return build


def test_an_unforeseen_error_rejects_only_its_item_and_is_logged(
    field: Field, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    batch = [_valid(field, "scale") for _ in range(3)]

    def fail(_inspection: Any) -> None:
        raise RuntimeError("a bug met by odd data")

    monkeypatch.setattr(sync_push, "build_inspection", _failing_for(batch[1]["uuid"], fail))
    with caplog.at_level(logging.ERROR, logger=sync_push.__name__):
        rejected = _assert_one_rejected(_push(field, batch), batch, 1)
    assert (rejected["code"], rejected["uuid"]) == ("ITEM_UNPROCESSABLE", batch[1]["uuid"])
    assert rejected["message"] == CATALOGUE["ITEM_UNPROCESSABLE"].en
    [record] = [r for r in caplog.records if r.name == sync_push.__name__ and r.exc_info]
    assert batch[1]["uuid"] in record.getMessage()


def test_an_unforeseen_error_while_reading_an_item_rejects_only_that_item(
    field: Field, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = [_valid(field, "prepack") for _ in range(3)]
    real = PushItem.from_wire

    def from_wire(data: dict[str, Any]) -> PushItem:
        if str(data["uuid"]) == batch[0]["uuid"]:
            raise TypeError("a bug met by odd data")
        return real(data)

    monkeypatch.setattr(PushItem, "from_wire", from_wire)
    rejected = _assert_one_rejected(_push(field, batch), batch, 0)
    assert (rejected["code"], rejected["uuid"]) == ("ITEM_UNPROCESSABLE", batch[0]["uuid"])


def test_a_row_the_database_refuses_is_rolled_back_and_the_batch_goes_on(
    field: Field, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A constraint that is not the uuid's or the correction's (here NOT NULL) fails the
    flush inside the item's savepoint: the item is rejected, the transaction stays usable
    (PostgreSQL aborts it otherwise) and the following items are stored."""
    batch = [_valid(field, "prepack") for _ in range(4)]

    def break_row(inspection: Any) -> None:
        inspection.form_key = None

    monkeypatch.setattr(sync_push, "build_inspection", _failing_for(batch[1]["uuid"], break_row))
    rejected = _assert_one_rejected(_push(field, batch), batch, 1)
    assert rejected["code"] == "ITEM_UNPROCESSABLE"
    assert not _stored([batch[1]["uuid"]])


def test_a_failure_of_the_database_itself_fails_the_batch_for_a_retry(
    field: Field, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not the item's fault: answered 5xx (the client retries), and nothing is kept."""
    batch = [_valid(field, "scale") for _ in range(3)]

    def lose_connection(_inspection: Any) -> None:
        raise sa_exc.OperationalError("INSERT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(
        sync_push, "build_inspection", _failing_for(batch[2]["uuid"], lose_connection)
    )
    response = _push(field, batch)
    assert (response.status_code, response.get_json()["code"]) == (500, "INTERNAL_ERROR")
    assert not _stored([sent["uuid"] for sent in batch])


# ---------------------------------------------------------------- json_problems itself

CLEAN_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=8)
CLEAN_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-MAX_JSON_INT, MAX_JSON_INT)
    | st.floats(allow_nan=False, allow_infinity=False)
    | CLEAN_TEXT,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(CLEAN_TEXT, children, max_size=4)
    ),
    max_leaves=20,
)


@given(CLEAN_JSON)
@settings(max_examples=300, derandomize=True, database=None)
def test_storable_json_has_no_problems(value: Any) -> None:
    assert json_problems(value, "en", 64) == {}


@given(CLEAN_JSON, st.data())
@settings(max_examples=300, derandomize=True, database=None)
def test_one_unstorable_value_anywhere_is_found(value: Any, data: st.DataObject) -> None:
    holder: dict[str, Any] = {"root": value}
    slot = data.draw(st.sampled_from(list(_slots(holder))))
    container, key = slot
    container[key] = data.draw(
        st.sampled_from([float("nan"), float("inf"), 2**63, -(2**64), "a\x00", "\udfff"])
    )
    assert json_problems(holder, "en", 64) != {}

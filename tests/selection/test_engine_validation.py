"""Invalid instances: exit 2 from the CLI with one line naming the field, never a traceback."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kcity.selection.engine import InstanceError, parse
from kcity.selection.engine.cli import main
from kcity.selection.engine.instance import load_schema


def _error(data) -> str:
    with pytest.raises(InstanceError) as info:
        parse(data if isinstance(data, str) else json.dumps(data))
    return str(info.value)


def test_messages_name_the_field(example_data):
    bad = copy.deepcopy(example_data)
    bad["proposals"][3]["request"] = 0
    assert _error(bad) == "proposals[3].request: must be a positive integer"
    bad = copy.deepcopy(example_data)
    bad["proposals"][3]["request"] = True  # booleans are not integers
    assert _error(bad) == "proposals[3].request: must be a positive integer"
    bad = dict(example_data, policy="random")
    assert _error(bad) == "policy: must be one of max_merit, merit_order"
    bad = dict(example_data, budget=-1)
    assert _error(bad) == "budget: must be an integer >= 0"
    bad = dict(example_data, budget=1.5)
    assert _error(bad) == "budget: must be an integer >= 0"
    bad = dict(example_data, max_projects=-1)
    assert _error(bad) == "max_projects: must be an integer >= 0 or null"
    bad = dict(example_data, max_projects="8")
    assert _error(bad) == "max_projects: must be an integer >= 0 or null"


def test_duplicates_are_errors(example_data):
    bad = copy.deepcopy(example_data)
    bad["proposals"][4]["id"] = bad["proposals"][0]["id"]
    assert _error(bad) == 'proposals[4].id: duplicate id "PLAN-01"'
    bad = copy.deepcopy(example_data)
    bad["tracks"][1]["code"] = "PLAN"
    assert _error(bad) == 'tracks[1].code: duplicate code "PLAN"'


def test_missing_and_extra_fields(example_data):
    bad = copy.deepcopy(example_data)
    del bad["proposals"][2]["score"]
    assert _error(bad) == "proposals[2].score: is required"
    bad = copy.deepcopy(example_data)
    bad["tracks"][0]["colour"] = "red"
    assert _error(bad) == "tracks[0].colour: is not allowed"


def test_not_json_or_not_object():
    assert _error("{").startswith("instance: invalid JSON at line 1")
    assert _error("[1, 2]") == "instance: must be an object"
    assert _error('{"budget": NaN}') == "instance: invalid JSON: NaN is not allowed"


def test_integral_decimal_is_an_integer(example_data):
    data = dict(example_data, budget=2400000000.0)
    assert parse(json.dumps(data)).budget == 2400000000


def test_unreadable_file_and_bad_usage(tmp_path, capsys):
    assert main([str(tmp_path / "missing.json")]) == 2
    err = capsys.readouterr().err
    assert "cannot read" in err and err.count("\n") == 1
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err


# -- random mutations ----------------------------------------------------------------

WRONG_VALUES = [None, True, -1, 0, 1.5, "x", "", [], {}, "NOT-A-CODE"]


def _leaves(value, path=()):
    """Every (path, value) inside a JSON document."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))


def _field(path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _set(data, path, value):
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def _delete(data, path):
    target = data
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]


@st.composite
def mutations(draw, base):
    """(mutated instance, field the message must name or None when it may still be valid)."""
    data = copy.deepcopy(base)
    kind = draw(st.sampled_from(["wrong", "negative_budget", "duplicate", "policy",
                                 "missing", "extra"]))
    if kind == "negative_budget":
        data["budget"] = -draw(st.integers(1, 10**12))
        return data, "budget"
    if kind == "policy":
        data["policy"] = draw(st.text(max_size=12).filter(
            lambda s: s not in ("max_merit", "merit_order")))
        return data, "policy"
    if kind == "duplicate":
        i = draw(st.integers(1, len(data["proposals"]) - 1))
        data["proposals"][i]["id"] = data["proposals"][draw(st.integers(0, i - 1))]["id"]
        return data, f"proposals[{i}].id"
    if kind == "extra":
        places = [p for p, v in _leaves(data) if isinstance(v, dict)]
        place = draw(st.sampled_from(places))
        _set(data, (*place, "unexpected"), 1) if place else data.update(unexpected=1)
        return data, _field((*place, "unexpected"))
    if kind == "missing":
        required = [("cycle",), ("budget",), ("policy",), ("tracks",), ("proposals",),
                    ("tracks", 0, "code")]
        required += [("proposals", i, k) for i in range(len(data["proposals"]))
                     for k in ("id", "track", "country", "score", "request")]
        path = draw(st.sampled_from(required))
        _delete(data, path)
        return data, _field(path)
    paths = [p for p, _ in _leaves(data) if p]
    path = draw(st.sampled_from(paths))
    _set(data, path, draw(st.sampled_from(WRONG_VALUES)))
    return data, None  # the value may happen to be valid there


def _schema_valid(data) -> bool:
    try:
        jsonschema.validate(data, load_schema())
    except jsonschema.ValidationError:
        return False
    return True


def _unique(data) -> bool:
    ids = [p.get("id") for p in data.get("proposals", []) if isinstance(p, dict)]
    codes = [t.get("code") for t in data.get("tracks", []) if isinstance(t, dict)]
    return len(ids) == len(set(map(str, ids))) and len(codes) == len(set(map(str, codes)))


@settings(max_examples=150, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_bad_instances_exit_2_naming_a_field(example_data, write_json, data):
    mutated, field = data.draw(mutations(example_data))
    path = write_json(mutated)
    import io
    import sys

    out, err = io.StringIO(), io.StringIO()
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        code = main([path])
    finally:
        sys.stdout, sys.stderr = old
    expected_valid = _schema_valid(mutated) and _unique(mutated)
    if field is None and expected_valid:
        assert code in (0, 1)
        json.loads(out.getvalue())
        return
    assert not expected_valid, "the engine rejected what the schema accepts"
    assert code == 2
    assert out.getvalue() == ""
    message = err.getvalue()
    assert message.count("\n") == 1 and "Traceback" not in message
    assert message.startswith("kcity select: ")
    named = message[len("kcity select: "):].split(": ", 1)[0]
    if field is not None:
        assert named == field
    else:
        assert named == "instance" or named.split("[")[0].split(".")[0] in mutated or \
            named.split("[")[0].split(".")[0] in example_data


def test_cycle_maximum_is_optional_and_nullable(example_data):
    assert parse(json.dumps(example_data)).max_projects is None
    assert parse(json.dumps(dict(example_data, max_projects=None))).max_projects is None
    assert parse(json.dumps(dict(example_data, max_projects=8))).max_projects == 8

"""Each worked example of docs/spec gives exactly its expected result; the engine ships
the schema of docs/spec unchanged."""

from __future__ import annotations

import json
from importlib import resources

from kcity.selection.engine import parse, solve
from kcity.selection.engine.cli import main
from kcity.selection.engine.instance import SCHEMA_FILE
from kcity.selection.engine.result import exchange


def _pairs(examples_dir):
    pairs = sorted(
        (path, path.with_name(path.name.replace(".json", ".result.json")))
        for path in examples_dir.glob("*.json")
        if not path.name.endswith(".result.json")
    )
    assert pairs, "no worked examples found"
    return pairs


def test_examples_give_expected_result(examples_dir):
    for instance_path, result_path in _pairs(examples_dir):
        full = solve(parse(instance_path.read_bytes()))
        result = exchange(full)
        expected = json.loads(result_path.read_text())
        assert result == expected, instance_path.name
        assert list(result) == list(expected), "key order differs"
        # beside the exchange format: each not-fundable reason's values
        for item in full["not_fundable"]:
            assert set(item) == {"id", "reason", "values"}


def test_examples_through_cli(examples_dir, capsys):
    for instance_path, result_path in _pairs(examples_dir):
        assert main([str(instance_path)]) == 0
        out = capsys.readouterr().out
        assert json.loads(out) == json.loads(result_path.read_text())


def test_objective_prints_as_exact_decimal(examples_dir, capsys):
    main([str(examples_dir / "round-2024.max_merit.json")])
    assert '"objective": 599.5,' in capsys.readouterr().out


def test_engine_ships_the_spec_schema(examples_dir):
    shipped = resources.files("kcity.selection.engine").joinpath(SCHEMA_FILE).read_bytes()
    assert shipped == (examples_dir.parent / "selection.schema.json").read_bytes()


def test_every_example_is_run(examples_dir):
    names = {path.name for path, _result in _pairs(examples_dir)}
    assert {"round-2024.max_merit.json", "round-2024.merit_order.json",
            "round-2024-cycle-cap.max_merit.json",
            "round-2024-cycle-cap.merit_order.json"} <= names
    for path in examples_dir.glob("*.json"):
        assert path.name.endswith(".result.json") or path.name in names


def test_reasons_come_with_their_code_and_values(examples_dir):
    """Beside the spec's words, every reason the engine gives has a code and its values;
    what `kcity select` writes is the exchange format alone."""
    data = json.loads((examples_dir / "round-2024.max_merit.json").read_text())
    full = solve(parse(json.dumps(data)))
    values = {item["id"]: item["values"] for item in full["not_fundable"]}
    assert values["PLAN-04"] == {"score": 68, "min_score": 70}
    assert values["PLAN-05"] == {"request": 450_000_000, "grant_min": 200_000_000,
                                 "grant_max": 400_000_000}
    assert values["DEMO-08"] == {"track": "XYZ"} and values["DEMO-06"] == {}
    data["budget"] = 100_000_000
    infeasible = solve(parse(json.dumps(data)))
    assert infeasible["status"] == "infeasible"
    assert infeasible["reason_code"] == "budget_too_small"
    assert infeasible["reason_values"] == {"budget": 100_000_000, "needed": 670_000_000}
    assert infeasible["reason"] == ("budget: 100,000,000 KRW is too small for the fixed "
                                    "includes and track minimums (at least 670,000,000 KRW "
                                    "needed)")
    assert "reason_code" not in exchange(infeasible)
    assert exchange(infeasible)["reason"] == infeasible["reason"]

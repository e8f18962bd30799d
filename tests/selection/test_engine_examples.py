"""Each worked example of docs/spec gives exactly its expected result; the engine ships
the schema of docs/spec unchanged."""

from __future__ import annotations

import json
from importlib import resources

from kcity.selection.engine import parse, solve
from kcity.selection.engine.cli import main
from kcity.selection.engine.instance import SCHEMA_FILE


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
        result = solve(parse(instance_path.read_bytes()))
        expected = json.loads(result_path.read_text())
        assert result == expected, instance_path.name
        assert list(result) == list(expected), "key order differs"


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

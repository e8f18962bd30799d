"""Each shared worked example gives exactly its expected result."""

from __future__ import annotations

import json

from kcity.selection.engine import parse, solve
from kcity.selection.engine.cli import main


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

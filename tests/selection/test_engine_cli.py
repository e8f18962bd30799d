"""The `kcity select` command: pure JSON on stdout and the exit codes 0/1/2."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kcity.selection.engine.cli import main

pytestmark = pytest.mark.slow  # starts processes or searches many rounds

SRC = Path(__file__).resolve().parents[2] / "src"


def test_optimal_exits_0_with_pure_json(examples_dir, capsys):
    assert main([str(examples_dir / "round-2024.max_merit.json")]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["status"] == "optimal"
    assert captured.err == ""


def test_infeasible_exits_1(example_data, write_json, capsys):
    data = copy.deepcopy(example_data)
    data["tracks"][0].update(min_projects=5, max_projects=5)
    assert main([write_json(data)]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "infeasible"
    assert result["reason"].startswith("track PLAN: minimum of 5 projects cannot be reached")
    assert list(result)[-1] == "reason"


def test_invalid_exits_2_with_one_line(example_data, write_json, capsys):
    data = copy.deepcopy(example_data)
    data["proposals"][3]["request"] = -5
    assert main([write_json(data)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "kcity select: proposals[3].request: must be a positive integer\n"


def test_bad_json_exits_2(write_json, capsys):
    assert main([write_json("{not json")]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("kcity select: instance: invalid JSON")


def test_output_file_and_explain(examples_dir, tmp_path, capsys):
    out = tmp_path / "result.json"
    assert main([str(examples_dir / "round-2024.max_merit.json"), "-o", str(out),
                 "--explain"]) == 0
    assert capsys.readouterr().out == ""
    result = json.loads(out.read_text())
    assert [e["id"] for e in result["explanations"]] == result["reserve"]


def test_explain_seconds_bounds_the_search_and_bad_values_exit_2(examples_dir, capsys):
    path = str(examples_dir / "round-2024.max_merit.json")
    assert main([path, "--explain", "--explain-seconds", "0"]) == 0  # 0: no limit, exact
    result = json.loads(capsys.readouterr().out)
    assert result["explanations"] and all(
        c.get("exact", True) for e in result["explanations"] for c in e["changes"])
    assert main([path, "--explain", "--explain-seconds", "-1"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "kcity select: --explain-seconds: must be a number >= 0\n"


def test_stdin(examples_dir, monkeypatch, capsys):
    import io

    text = (examples_dir / "round-2024.merit_order.json").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text)))
    assert main(["-"]) == 0
    expected = json.loads((examples_dir / "round-2024.merit_order.result.json").read_text())
    assert json.loads(capsys.readouterr().out) == expected


def test_module_run_prints_only_json(examples_dir):
    env = dict(os.environ, PYTHONPATH=str(SRC))
    done = subprocess.run(
        [sys.executable, "-m", "kcity.selection.engine",
         str(examples_dir / "round-2024.max_merit.json")],
        capture_output=True, text=True, env=env, check=False,
    )
    assert done.returncode == 0, done.stderr
    expected = json.loads((examples_dir / "round-2024.max_merit.result.json").read_text())
    assert json.loads(done.stdout) == expected  # fails on any banner or log line
    assert done.stdout.lstrip().startswith("{")


def test_engine_does_not_import_django(examples_dir):
    env = dict(os.environ, PYTHONPATH=str(SRC))
    code = ("import sys; from kcity.selection.engine.cli import main; "
            f"main([{str(examples_dir / 'round-2024.max_merit.json')!r}, '--explain']); "
            "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, check=False)
    assert done.returncode == 0, done.stderr


def test_cycle_maximum_through_the_cli(example_data, write_json, capsys):
    """max_projects read from the file binds the selection; a bad one exits 2 naming it;
    includes above it are infeasible (exit 1) with the reason in words."""
    assert main([write_json(dict(example_data, max_projects=3))]) == 0
    result = json.loads(capsys.readouterr().out)
    assert len(result["selected"]) == 3 and result["status"] == "optimal"
    assert main([write_json(dict(example_data, max_projects=-2))]) == 2
    assert "max_projects: must be an integer >= 0 or null" in capsys.readouterr().err
    fixed = {"include": ["PLAN-01", "DEMO-01"]}
    assert main([write_json(dict(example_data, max_projects=1, fixed=fixed))]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["reason"] == ("max_projects: 2 fixed includes exceed the cycle's maximum "
                                "of 1 projects")


def test_kcity_select_does_not_import_django(examples_dir):
    """`kcity select` (the project's command line, not only the engine's) loads no Django."""
    env = dict(os.environ, PYTHONPATH=str(SRC))
    code = ("import sys; from kcity.cli import main; "
            f"main(['select', {str(examples_dir / 'round-2024.max_merit.json')!r}]); "
            "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, check=False)
    assert done.returncode == 0, done.stderr

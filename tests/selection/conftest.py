"""Fixtures for the selection engine tests (no Django: the engine is plain Python)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SPEC = Path(__file__).resolve().parents[2] / "docs" / "spec"  # vendored exchange format
EXAMPLES = SPEC / "examples"


@pytest.fixture
def examples_dir() -> Path:
    """The worked examples of docs/spec; missing is a failure, never a skip."""
    assert EXAMPLES.is_dir(), f"spec examples not found at {EXAMPLES}"
    return EXAMPLES


@pytest.fixture
def example_data(examples_dir: Path) -> dict:
    return json.loads((examples_dir / "round-2024.max_merit.json").read_text())


@pytest.fixture
def write_json(tmp_path: Path):
    """Write a dict as JSON into tmp_path and return the file path as a string."""

    def write(data, name: str = "instance.json") -> str:
        path = tmp_path / name
        path.write_text(data if isinstance(data, str) else json.dumps(data))
        return str(path)

    return write

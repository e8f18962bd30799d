"""Reading a selection instance: JSON text -> validated, typed `Instance`.

Validation is driven by the JSON Schema shipped beside this module (a copy of
the public contract), interpreted by a small compiler that supports exactly the
keywords the schema uses.  We do not use a general JSON Schema library at run
time because it is slow on 100,000 proposals and its messages do not name the
field the way the contract asks (``proposals[3].request: must be a positive
integer``).  The test-suite checks that this interpreter and `jsonschema`
agree.

Numbers are parsed as `Decimal` so that scores such as 88.5 and sums of merit
are exact; money stays `int` (KRW).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from .errors import InstanceError

SCHEMA_FILE = "selection.schema.json"


@dataclass(frozen=True)
class Track:
    """One programme type with its count, budget and grant-size limits."""

    code: str
    min_projects: int = 0
    max_projects: int | None = None
    budget: int | None = None
    grant_min: int | None = None
    grant_max: int | None = None


@dataclass(frozen=True)
class Proposal:
    """One evaluated proposal; `score` is exact (`Decimal`), `request` is KRW."""

    id: str
    track: str
    country: str
    score: Decimal
    request: int
    matching_funds: bool = False
    prior_planning: bool = False
    eligible: bool = True


@dataclass(frozen=True)
class Instance:
    """A validated selection round (see selection.md)."""

    cycle: str
    currency: str
    budget: int
    policy: str
    tracks: tuple[Track, ...]
    proposals: tuple[Proposal, ...]
    min_score: Decimal = Decimal(0)
    max_per_country: int | None = None
    bonus_matching_funds: Decimal = Decimal(0)
    bonus_prior_planning: Decimal = Decimal(0)
    include: tuple[str, ...] = field(default=())
    exclude: tuple[str, ...] = field(default=())
    max_projects: int | None = None  # the most projects in all, across tracks (1.1)


# --------------------------------------------------------------------------
# JSON text


def _reject_constant(name: str) -> Any:
    """NaN and Infinity are not JSON; Python's parser accepts them by default."""
    raise InstanceError(f"instance: invalid JSON: {name} is not allowed")


def loads(text: str | bytes) -> Any:
    """Parse JSON text exactly (decimals as `Decimal`), errors as `InstanceError`."""
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except InstanceError:
        raise
    except json.JSONDecodeError as exc:
        raise InstanceError(
            f"instance: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except (ValueError, RecursionError, UnicodeDecodeError) as exc:
        raise InstanceError(f"instance: invalid JSON: {exc}") from None


# --------------------------------------------------------------------------
# Schema-driven validation

Check = Callable[[Any, str], None]


def _is_integer(value: Any) -> bool:
    """JSON Schema integers: ints (not booleans) and integral numbers like 1.0."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value()


def _is_number(value: Any) -> bool:
    """Finite numbers, not booleans (floats come from Python callers, not from `loads`)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int) or (isinstance(value, Decimal) and value.is_finite())


_TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": _is_integer,
    "number": _is_number,
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}

_TYPE_WORDS = {
    "object": "an object",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
}


def _fmt(number: Any) -> str:
    return str(number)


def _describe(schema: dict[str, Any]) -> str:
    """The one-line requirement of a leaf schema, e.g. 'must be an integer >= 0'."""
    if "enum" in schema:
        return "must be one of " + ", ".join(str(v) for v in schema["enum"])
    types = schema.get("type", [])
    types = [types] if isinstance(types, str) else list(types)
    nullable = "null" in types
    types = [t for t in types if t != "null"]
    words = " or ".join(_TYPE_WORDS[t] for t in types) or "a value"
    if types == ["integer"] and schema.get("exclusiveMinimum") == 0:
        words = "a positive integer"
    elif "minimum" in schema and "maximum" in schema:
        words += f" between {_fmt(schema['minimum'])} and {_fmt(schema['maximum'])}"
    elif "minimum" in schema:
        words += f" >= {_fmt(schema['minimum'])}"
    elif "exclusiveMinimum" in schema:
        words += f" > {_fmt(schema['exclusiveMinimum'])}"
    if types == ["string"] and "pattern" in schema:
        words += f" matching {schema['pattern']}"
    elif types == ["string"] and schema.get("minLength") == 1:
        words = "a non-empty string"
    if types == ["array"] and "minItems" in schema:
        words = f"a list of at least {schema['minItems']} item(s)"
    if nullable:
        words += " or null"
    return "must be " + words


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _compile(schema: dict[str, Any]) -> Check:
    """Turn a (sub)schema into a function `check(value, path)` raising `InstanceError`."""
    message = _describe(schema)
    types = schema.get("type")
    type_tests = [_TYPE_TESTS[t] for t in ([types] if isinstance(types, str) else types or [])]
    enum = schema.get("enum")
    minimum = schema.get("minimum")
    maximum = schema.get("maximum")
    exclusive_minimum = schema.get("exclusiveMinimum")
    min_length = schema.get("minLength")
    min_items = schema.get("minItems")
    pattern = re.compile(schema["pattern"]) if "pattern" in schema else None
    properties = {k: _compile(v) for k, v in schema.get("properties", {}).items()}
    required = schema.get("required", [])
    closed = schema.get("additionalProperties", True) is False
    items = _compile(schema["items"]) if "items" in schema else None

    def check(value: Any, path: str) -> None:
        where = path or "instance"
        if type_tests and not any(test(value) for test in type_tests):
            raise InstanceError(f"{where}: {message}")
        if enum is not None and not any(value == e and type(value) is type(e) for e in enum):
            raise InstanceError(f"{where}: {message}")
        if _is_number(value) and (
            (minimum is not None and value < minimum)
            or (maximum is not None and value > maximum)
            or (exclusive_minimum is not None and value <= exclusive_minimum)
        ):
            raise InstanceError(f"{where}: {message}")
        if isinstance(value, str):
            if min_length is not None and len(value) < min_length:
                raise InstanceError(f"{where}: {message}")
            if pattern is not None and not pattern.search(value):
                raise InstanceError(f"{where}: {message}")
        if isinstance(value, dict):
            for key in required:
                if key not in value:
                    raise InstanceError(f"{_join(path, key)}: is required")
            for key, item in value.items():
                sub = properties.get(key)
                if sub is not None:
                    sub(item, _join(path, key))
                elif closed:
                    raise InstanceError(f"{_join(path, str(key))}: is not allowed")
        if isinstance(value, list):
            if min_items is not None and len(value) < min_items:
                raise InstanceError(f"{where}: {message}")
            if items is not None:
                for index, item in enumerate(value):
                    items(item, f"{path}[{index}]")

    return check


def _predicate(schema: dict[str, Any]) -> Callable[[Any], bool]:
    """Does a value meet the (sub)schema?  Exactly the tests of `_compile`'s check,
    without building paths or messages: the fast path for valid instances (100,000
    proposals are ~900,000 values); on False the check finds and names the field."""
    types = schema.get("type")
    type_tests = tuple(_TYPE_TESTS[t] for t in ([types] if isinstance(types, str)
                                                else types or []))
    enum = schema.get("enum")
    minimum = schema.get("minimum")
    maximum = schema.get("maximum")
    exclusive_minimum = schema.get("exclusiveMinimum")
    has_range = minimum is not None or maximum is not None or exclusive_minimum is not None
    min_length = schema.get("minLength")
    pattern = re.compile(schema["pattern"]) if "pattern" in schema else None
    properties = {k: _predicate(v) for k, v in schema.get("properties", {}).items()}
    required = tuple(schema.get("required", []))
    closed = schema.get("additionalProperties", True) is False
    min_items = schema.get("minItems")
    items = _predicate(schema["items"]) if "items" in schema else None

    def pred(value: Any) -> bool:
        if type_tests:
            for test in type_tests:
                if test(value):
                    break
            else:
                return False
        if enum is not None and not any(value == e and type(value) is type(e) for e in enum):
            return False
        if has_range and _is_number(value) and (
            (minimum is not None and value < minimum)
            or (maximum is not None and value > maximum)
            or (exclusive_minimum is not None and value <= exclusive_minimum)
        ):
            return False
        if isinstance(value, str):
            if min_length is not None and len(value) < min_length:
                return False
            if pattern is not None and not pattern.search(value):
                return False
        elif isinstance(value, dict):
            for key in required:
                if key not in value:
                    return False
            for key, item in value.items():
                sub = properties.get(key)
                if sub is not None:
                    if not sub(item):
                        return False
                elif closed:
                    return False
        elif isinstance(value, list):
            if min_items is not None and len(value) < min_items:
                return False
            if items is not None:
                for item in value:
                    if not items(item):
                        return False
        return True

    return pred


def load_schema() -> dict[str, Any]:
    """The JSON Schema shipped with the package (a copy of the public contract)."""
    text = resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@lru_cache(maxsize=1)
def _validator() -> Check:
    return _compile(load_schema())


@lru_cache(maxsize=1)
def _is_valid() -> Callable[[Any], bool]:
    return _predicate(load_schema())


def validate(data: Any) -> None:
    """Raise `InstanceError` naming the first field that breaks the schema or uniqueness."""
    if not _is_valid()(data):
        _validator()(data, "")  # names the field
        raise InstanceError("instance: does not meet the schema")  # not reached
    _check_unique(data["tracks"], "code", "tracks", "code")
    _check_unique(data["proposals"], "id", "proposals", "id")


def _check_unique(entries: list[dict[str, Any]], key: str, where: str, noun: str) -> None:
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        value = entry[key]
        if value in seen:
            raise InstanceError(f'{where}[{index}].{key}: duplicate {noun} "{value}"')
        seen.add(value)


# --------------------------------------------------------------------------
# Typed instance


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def _dec(value: Any) -> Decimal:
    """Exact decimal; a float goes through its shortest repr so 88.1 stays 88.1."""
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def from_data(data: Any) -> Instance:
    """Validate parsed JSON and build the typed `Instance` with defaults filled in."""
    validate(data)
    bonus = data.get("bonus", {})
    fixed = data.get("fixed", {})
    tracks = tuple(
        Track(
            code=t["code"],
            min_projects=int(t.get("min_projects", 0)),
            max_projects=_int_or_none(t.get("max_projects")),
            budget=_int_or_none(t.get("budget")),
            grant_min=_int_or_none(t.get("grant_min")),
            grant_max=_int_or_none(t.get("grant_max")),
        )
        for t in data["tracks"]
    )
    proposals = tuple(
        Proposal(
            id=p["id"],
            track=p["track"],
            country=p["country"],
            score=_dec(p["score"]),
            request=int(p["request"]),
            matching_funds=p.get("matching_funds", False),
            prior_planning=p.get("prior_planning", False),
            eligible=p.get("eligible", True),
        )
        for p in data["proposals"]
    )
    return Instance(
        cycle=data["cycle"],
        currency=data["currency"],
        budget=int(data["budget"]),
        policy=data["policy"],
        tracks=tracks,
        proposals=proposals,
        min_score=_dec(data.get("min_score", 0)),
        max_per_country=_int_or_none(data.get("max_per_country")),
        bonus_matching_funds=_dec(bonus.get("matching_funds", 0)),
        bonus_prior_planning=_dec(bonus.get("prior_planning", 0)),
        include=tuple(fixed.get("include", ())),
        exclude=tuple(fixed.get("exclude", ())),
        max_projects=_int_or_none(data.get("max_projects")),
    )


def parse(text: str | bytes) -> Instance:
    """JSON text -> `Instance`; every problem raises `InstanceError`."""
    return from_data(loads(text))

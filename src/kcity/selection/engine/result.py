"""The result document of selection.md, in the key order of the worked examples."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from .analysis import Analysis

_NO_BOUND = object()


def number(value: Decimal) -> float:
    """An exact decimal sum as a JSON number, rounded to 10 places (599.5 stays 599.5)."""
    return float(round(value, 10))


def build(
    analysis: Analysis,
    status: str,
    selected: Iterable[str],
    *,
    bound: Any = _NO_BOUND,
    reason: str | None = None,
) -> dict[str, Any]:
    """Assemble the result; `bound` is given for max_merit only (a Decimal or None)."""
    chosen = set(selected)
    ranking = analysis.ranking
    picked = [p for p in ranking if p.id in chosen]
    objective = sum((analysis.merit[p.id] for p in picked), Decimal(0))
    by_track = {t.code: {"count": 0, "awarded": 0} for t in analysis.instance.tracks}
    for proposal in picked:
        by_track[proposal.track]["count"] += 1
        by_track[proposal.track]["awarded"] += proposal.request
    result: dict[str, Any] = {
        "status": status,
        "policy": analysis.instance.policy,
        "objective": number(objective),
    }
    if bound is not _NO_BOUND:
        result["bound"] = None if bound is None else number(bound)
    result["awarded"] = sum(p.request for p in picked)
    result["selected"] = [p.id for p in picked]
    result["reserve"] = [p.id for p in ranking if p.id not in chosen]
    result["not_fundable"] = [{"id": pid, "reason": why} for pid, why in analysis.not_fundable]
    result["by_track"] = by_track
    if reason is not None:
        result["reason"] = reason
    return result

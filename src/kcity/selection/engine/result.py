"""The result document of selection.md, in the key order of the worked examples.

Beside the exchange format's words the engine gives every reason as a code and its values:
`reason_code` and `reason_values` next to an infeasible result's `reason`, and `values`
in each `not_fundable` entry (whose `reason` is already a code).  The exchange format has
no such fields (its worked examples are the whole result), so `exchange` drops them from
what is written out (`kcity select`, exports).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from .analysis import Analysis
from .messages import Reason

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
    reason: Reason | None = None,
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
    values = analysis.not_fundable_values
    result["not_fundable"] = [{"id": pid, "reason": why, "values": values[pid]}
                              for pid, why in analysis.not_fundable]
    result["by_track"] = by_track
    if reason is not None:
        result["reason"] = reason.text()
        result["reason_code"] = reason.code
        result["reason_values"] = dict(reason.values)
    return result


STRUCTURED = ("reason_code", "reason_values")


def exchange(result: dict[str, Any]) -> dict[str, Any]:
    """`result` as the exchange format has it: without the codes and values of reasons
    (`explanations`, an extension of `kcity select --explain`, are kept as they are)."""
    out = {key: value for key, value in result.items() if key not in STRUCTURED}
    if "not_fundable" in out:
        out["not_fundable"] = [{"id": item["id"], "reason": item["reason"]}
                               for item in out["not_fundable"]]
    return out

"""Baseline for selection_bench.py: the plain max_merit MILP of an instance, solved by
HiGHS through `scipy.optimize.milp` (no reductions).  Prints {"objective", "seconds"}.

Usage: python benchmarks/_selection_scipy_milp.py INSTANCE.json [TIME_LIMIT_S]
status 0 = proven optimal, 1 = time limit reached (objective is then the best found).
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix


def fundable(data):
    """Fundable proposals and their merit, read straight from the spec."""
    tracks = {t["code"]: t for t in data["tracks"]}
    excluded = set(data.get("fixed", {}).get("exclude", []))
    bonus = data.get("bonus", {})
    out = []
    for p in data["proposals"]:
        t = tracks.get(p["track"])
        if t is None or not p.get("eligible", True) or p["score"] < data.get("min_score", 0):
            continue
        lo, hi = t.get("grant_min"), t.get("grant_max")
        if (lo is not None and p["request"] < lo) or (hi is not None and p["request"] > hi):
            continue
        if p["id"] in excluded:
            continue
        merit = (p["score"] + bonus.get("matching_funds", 0) * p.get("matching_funds", False)
                 + bonus.get("prior_planning", 0) * p.get("prior_planning", False))
        out.append((p, merit))
    return out


def main(path: str, time_limit: float) -> None:
    start = time.perf_counter()
    with open(path) as handle:
        data = json.load(handle)
    cands = fundable(data)
    n = len(cands)
    rows, cols, vals, lower, upper = [], [], [], [], []

    def row(members, weights, lo, hi):
        r = len(lower)
        rows.extend([r] * len(members))
        cols.extend(members)
        vals.extend(weights)
        lower.append(lo)
        upper.append(hi)

    request = [p["request"] for p, _ in cands]
    row(list(range(n)), request, -np.inf, data["budget"])
    for t in data["tracks"]:
        members = [i for i, (p, _) in enumerate(cands) if p["track"] == t["code"]]
        hi = np.inf if t.get("max_projects") is None else t["max_projects"]
        row(members, [1] * len(members), t.get("min_projects", 0), hi)
        if t.get("budget") is not None:
            row(members, [request[i] for i in members], -np.inf, t["budget"])
    cap = data.get("max_per_country")
    if cap is not None:
        by_country = {}
        for i, (p, _) in enumerate(cands):
            by_country.setdefault(p["country"], []).append(i)
        for members in by_country.values():
            row(members, [1] * len(members), -np.inf, cap)
    include = set(data.get("fixed", {}).get("include", []))
    lb = np.array([1.0 if p["id"] in include else 0.0 for p, _ in cands])
    matrix = csr_matrix((vals, (rows, cols)), shape=(len(lower), n))
    result = milp(
        c=-np.array([m for _, m in cands], dtype=float),
        constraints=LinearConstraint(matrix, lower, upper),
        integrality=np.ones(n),
        bounds=Bounds(lb, np.ones(n)),
        options={"mip_rel_gap": 0.0, "time_limit": time_limit},
    )
    objective = None if result.x is None else round(-result.fun, 6)
    print(json.dumps({"status": result.status, "objective": objective,
                      "seconds": time.perf_counter() - start}))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 300.0)

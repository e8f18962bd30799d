"""Benchmark of the selection engine (see benchmarks/selection.md).

    python benchmarks/selection_bench.py [--sizes 100,1000,10000,100000] [--seed 1]

For each size, with a country cap of 1 and without a cap, it times to proven
optimum, process start included, and measures the peak memory (max RSS) of:
  (a) `python -m kcity.selection.engine FILE` (what `kcity select` runs), and
  (b) the plain MILP of the same instance solved by HiGHS via scipy.optimize.milp
      (benchmarks/_selection_scipy_milp.py), in its own process;
checks both objectives agree, then times what-if answers at 1,000 proposals
(`--what-if-size`), with cap 1 and without a cap: several changes of each kind
(budget, track budget, track maximum, track minimum, country cap, exclude, include;
`what_if_changes`), each applied to a fresh Session of the base round and timed 3
times (median kept, wall and CPU), reported per kind as p50 and max over its changes,
against a cold `solve()` of the same changed round (same status and objective
required, else the exit status is 1).  Load averages are printed beside the tables.
Needs numpy and scipy; run from the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
SCIPY_HELPER = Path(__file__).resolve().with_name("_selection_scipy_milp.py")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
M = 1_000_000


def generate(n: int, cap: int | None, seed: int) -> dict:
    """A round of n proposals: 4 tracks, up to 676 countries, a budget that binds."""
    rnd = random.Random(seed * 1_000_003 + n)
    n_countries = min(676, max(20, n // 2))
    countries = [a + b for a in LETTERS for b in LETTERS][:n_countries]
    tracks = [
        {"code": "PLAN", "min_projects": 2, "max_projects": max(3, n // 10),
         "grant_min": 100 * M, "grant_max": 400 * M},
        {"code": "DEMO", "min_projects": 3, "budget": None,
         "grant_min": 150 * M, "grant_max": 500 * M},
        {"code": "CAP", "min_projects": 1, "max_projects": max(2, n // 20)},
        {"code": "TECH", "min_projects": 0},
    ]
    proposals = []
    for i in range(n):
        proposals.append({
            "id": f"P{i:06d}",
            "track": rnd.choice(["PLAN", "DEMO", "DEMO", "CAP", "TECH"]),
            "country": rnd.choice(countries),
            "score": round(rnd.uniform(55, 100), 1),
            "request": rnd.randrange(100, 501) * M,
            "matching_funds": rnd.random() < 0.3,
            "prior_planning": rnd.random() < 0.2,
            "eligible": rnd.random() > 0.03,
        })
    total = sum(p["request"] for p in proposals)
    tracks[1]["budget"] = total // 16  # DEMO's own ceiling binds too
    return {
        # binding: below what the caps and track limits would otherwise allow
        "cycle": "2024", "currency": "KRW", "budget": min(total // 8, n_countries * 150 * M),
        "policy": "max_merit",
        "min_score": 65, "max_per_country": cap,
        "bonus": {"matching_funds": 2, "prior_planning": 1.5},
        "tracks": tracks, "proposals": proposals,
    }


def run_measured(argv: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB, stdout) of one child process, start included."""
    env = dict(os.environ, PYTHONPATH=str(SRC))
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, env=env)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        err = process.stderr.read().decode()
        process.stderr.close()
        out.seek(0)
        text = out.read().decode()
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{argv} failed ({process.returncode}): {err}")
    return seconds, usage.ru_maxrss / 1024, text


def bench_size(n: int, cap: int | None, seed: int, workdir: Path, baseline_limit: float) -> dict:
    path = workdir / f"round-{n}-{cap}.json"
    path.write_text(json.dumps(generate(n, cap, seed)))
    engine_s, engine_mb, engine_out = run_measured(
        [sys.executable, "-m", "kcity.selection.engine", str(path)])
    engine = json.loads(engine_out)
    scipy_s, scipy_mb, scipy_out = run_measured(
        [sys.executable, str(SCIPY_HELPER), str(path), str(baseline_limit)])
    baseline = json.loads(scipy_out.strip().splitlines()[-1])  # HiGHS may print a line first
    if baseline["status"] != 0:  # baseline stopped by its time limit: nothing proven to compare
        agree = None
    else:
        agree = abs(engine["objective"] - baseline["objective"]) < 1e-6
    return {"n": n, "cap": cap, "status": engine["status"], "objective": engine["objective"],
            "engine_s": engine_s, "engine_mb": engine_mb, "scipy_s": scipy_s,
            "scipy_mb": scipy_mb, "scipy_objective": baseline["objective"], "agree": agree}


def what_if_changes(base, first: dict) -> list[tuple[str, str, tuple, dict]]:
    """Several changes of each kind: (kind, Session method, args, kwargs)."""
    selected, reserve = first["selected"], first["reserve"]
    demo = base.tracks[1].budget
    caps = [2, 3, None] if base.max_per_country is not None else [1, 2, 3]
    changes = [("budget", "set_budget", (base.budget * f // 100,), {}) for f in (80, 90, 110, 120)]
    changes += [("track budget", "set_track", ("DEMO",), {"budget": b})
                for b in (demo * 8 // 10, demo * 12 // 10, None)]
    changes += [("track maximum", "set_track", (code,), {"max_projects": m})
                for code, m in (("PLAN", 3), ("PLAN", 5), ("PLAN", 10), ("CAP", 3))]
    changes += [("track minimum", "set_track", (code,), {"min_projects": m})
                for code, m in (("DEMO", 40), ("TECH", 5), ("CAP", 8))]
    changes += [("country cap", "set_country_cap", (c,), {}) for c in caps]
    picks = sorted({0, len(selected) // 4, len(selected) // 2, len(selected) - 1})
    changes += [("exclude", "exclude", (selected[i],), {}) for i in picks]
    picks = sorted({0, 5, len(reserve) // 10, len(reserve) // 2} & set(range(len(reserve))))
    changes += [("include", "include", (reserve[i],), {}) for i in picks]
    return changes


def bench_what_if(seed: int, n: int = 1000, cap: int | None = 1, repeat: int = 3) -> list[dict]:
    """Warm Session answers vs cold solves of the same changed instance (milliseconds).

    For every change: a fresh Session of the base round (not timed), the change timed
    `repeat` times (median kept, wall and CPU), and one cold `solve()` of the changed
    round, which must have the same status and objective.  One row per kind: median
    (p50) and worst over its changes.
    """
    sys.path.insert(0, str(SRC))
    from kcity.selection.engine.instance import from_data
    from kcity.selection.engine.session import Session
    from kcity.selection.engine.solver import solve

    base = from_data(generate(n, cap, seed))
    cold_start = time.perf_counter()
    first = solve(base)
    cold_first_ms = (time.perf_counter() - cold_start) * 1000
    by_kind: dict[str, dict] = {}
    for kind, method, args, kwargs in what_if_changes(base, first):
        walls, cpus = [], []
        for _ in range(repeat):
            session = Session(base)
            start, cpu = time.perf_counter(), time.process_time()
            answer = getattr(session, method)(*args, **kwargs)
            walls.append((time.perf_counter() - start) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        start = time.perf_counter()
        cold = solve(session.instance)
        cold_ms = (time.perf_counter() - start) * 1000
        row = by_kind.setdefault(kind, {"wall": [], "cpu": [], "cold": [], "agree": True,
                                        "statuses": set()})
        row["wall"].append(sorted(walls)[repeat // 2])
        row["cpu"].append(sorted(cpus)[repeat // 2])
        row["cold"].append(cold_ms)
        row["statuses"].add(answer["status"])
        row["agree"] &= answer["status"] == cold["status"] and (
            answer["objective"] == cold["objective"])
    rows = [{"change": "(cold solve of the base round)", "count": 1, "p50": None, "max": None,
             "cpu_p50": None, "cpu_max": None, "cold_p50": cold_first_ms,
             "cold_min": cold_first_ms, "agree": True, "status": first["status"]}]
    for kind, row in by_kind.items():
        rows.append({"change": kind, "count": len(row["wall"]), "p50": _median(row["wall"]),
                     "max": max(row["wall"]), "cpu_p50": _median(row["cpu"]),
                     "cpu_max": max(row["cpu"]), "cold_p50": _median(row["cold"]),
                     "cold_min": min(row["cold"]), "agree": row["agree"],
                     "status": "/".join(sorted(row["statuses"]))})
    return rows


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000,100000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-what-if", action="store_true")
    parser.add_argument("--what-if-size", type=int, default=1000)
    parser.add_argument("--baseline-limit", type=float, default=300.0,
                        help="time limit (s) of the scipy.milp baseline")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {_load()}\n")
    print("| proposals | cap | status | objective | engine s | engine MiB "
          "| scipy.milp s | scipy MiB | agree |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|---|")
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            for cap in (1, None):
                r = bench_size(n, cap, args.seed, Path(tmp), args.baseline_limit)
                failed |= r["agree"] is False
                agree = {True: "yes", False: "NO", None: "n/a (baseline timed out)"}[r["agree"]]
                print(f"| {n:,} | {cap or '-'} | {r['status']} | {r['objective']} "
                      f"| {r['engine_s']:.2f} | {r['engine_mb']:.0f} | {r['scipy_s']:.2f} "
                      f"| {r['scipy_mb']:.0f} | {agree} |", flush=True)
    if not args.no_what_if:
        for cap in (1, None):
            print(f"\nWhat-if at {args.what_if_size:,} proposals, cap {cap or '-'} "
                  f"(load average {_load()}), in-process, per kind: p50 and max over its "
                  f"changes of the median of 3:\n")
            print("| change | n | warm p50 ms | warm max ms | warm CPU p50 / max ms "
                  "| cold p50 ms | cold min ms | status | same objective |")
            print("|---|---:|---:|---:|---:|---:|---:|---|---|")
            for r in bench_what_if(args.seed, args.what_if_size, cap):
                warm, worst = ("-" if r[k] is None else f"{r[k]:.1f}" for k in ("p50", "max"))
                cpu = "-" if r["cpu_p50"] is None else f"{r['cpu_p50']:.1f} / {r['cpu_max']:.1f}"
                failed |= not r["agree"]
                print(f"| {r['change']} | {r['count']} | {warm} | {worst} | {cpu} "
                      f"| {r['cold_p50']:.1f} | {r['cold_min']:.1f} | {r['status']} "
                      f"| {'yes' if r['agree'] else 'NO'} |", flush=True)
        print(f"\nload average after: {_load()}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

"""Benchmark of the selection engine (see benchmarks/selection.md).

    python benchmarks/selection_bench.py [--sizes 100,1000,10000,100000] [--seed 1]

For each size, with a country cap of 1 and without a cap, it times to proven
optimum, process start included, and measures the peak memory (max RSS) of:
  (a) `python -m kcity.selection.engine FILE` (what `kcity select` runs), and
  (b) the plain MILP of the same instance solved by HiGHS via scipy.optimize.milp
      (benchmarks/_selection_scipy_milp.py), in its own process;
checks both objectives agree, then times what-if answers (Session, warm: wall
median and worst of 5, and CPU time, which a loaded machine inflates less) against
cold solves at 1,000 proposals (same status and objective required).  Needs numpy
and scipy; run from the repository.
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


def bench_what_if(seed: int, n: int = 1000, repeat: int = 5) -> list[dict]:
    """Warm Session answers vs cold solves of the same changed instance (milliseconds)."""
    sys.path.insert(0, str(SRC))
    from dataclasses import replace

    from kcity.selection.engine.instance import from_data
    from kcity.selection.engine.session import Session
    from kcity.selection.engine.solver import solve

    base = from_data(generate(n, 1, seed))
    cold_start = time.perf_counter()
    first = solve(base)
    cold_first_ms = (time.perf_counter() - cold_start) * 1000
    out_id, in_id = first["selected"][0], first["reserve"][0]
    changes = [
        ("budget -10%", "set_budget", (base.budget * 9 // 10,), {}),
        ("budget +10%", "set_budget", (base.budget * 11 // 10,), {}),
        ("quota PLAN max 5", "set_track", ("PLAN",), {"max_projects": 5}),
        ("quota DEMO min 40", "set_track", ("DEMO",), {"min_projects": 40}),
        ("track budget DEMO +20%", "set_track", ("DEMO",),
         {"budget": base.tracks[1].budget * 12 // 10}),
        ("country cap 2", "set_country_cap", (2,), {}),
        ("no country cap", "set_country_cap", (None,), {}),
        ("exclude a selected", "exclude", (out_id,), {}),
        ("include a reserve", "include", (in_id,), {}),
    ]
    rows = []
    for label, method, args, kwargs in changes:
        warm_times, warm_cpu, cold_times, agree = [], [], [], True
        for _ in range(repeat):
            session = Session(base)
            start, cpu = time.perf_counter(), time.process_time()
            answer = getattr(session, method)(*args, **kwargs)
            warm_times.append((time.perf_counter() - start) * 1000)
            warm_cpu.append((time.process_time() - cpu) * 1000)
            changed = session.instance
            start = time.perf_counter()
            cold = solve(replace(changed))
            cold_times.append((time.perf_counter() - start) * 1000)
            agree &= answer["status"] == cold["status"] and abs(
                answer["objective"] - cold["objective"]) < 1e-9
        rows.append({"change": label, "warm_ms": sorted(warm_times)[repeat // 2],
                     "warm_max_ms": max(warm_times),
                     "warm_cpu_ms": sorted(warm_cpu)[repeat // 2],
                     "cold_ms": sorted(cold_times)[repeat // 2], "agree": agree,
                     "status": answer["status"]})
    rows.insert(0, {"change": "(cold solve of the base round)", "warm_ms": None,
                    "warm_max_ms": None, "warm_cpu_ms": None, "cold_ms": cold_first_ms,
                    "agree": True,
                    "status": first["status"]})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000,100000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-what-if", action="store_true")
    parser.add_argument("--baseline-limit", type=float, default=300.0,
                        help="time limit (s) of the scipy.milp baseline")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs\n")
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
        print("\nWhat-if at 1,000 proposals (cap 1), median of 5, in-process:\n")
        print("| change | warm (Session) ms | warm max ms | warm CPU ms | cold solve ms "
              "| status | same objective |")
        print("|---|---:|---:|---:|---:|---|---|")
        for r in bench_what_if(args.seed):
            warm, worst, cpu = ("-" if r[k] is None else f"{r[k]:.1f}"
                                for k in ("warm_ms", "warm_max_ms", "warm_cpu_ms"))
            failed |= not r["agree"]
            print(f"| {r['change']} | {warm} | {worst} | {cpu} | {r['cold_ms']:.1f} "
                  f"| {r['status']} | {'yes' if r['agree'] else 'NO'} |", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

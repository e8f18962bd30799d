#!/usr/bin/env python3
"""The floor under the deadline surge: the same cycle with no application work.

    .venv/bin/python benchmarks/surge_floor.py                 # 50 applicants, 20 s
    .venv/bin/python benchmarks/surge_floor.py --seconds 60 --concurrency 10,50

It starts the production setup exactly as `deadline_surge.py` does (fresh PostgreSQL
database, `kcity serve --production`, the same settings, the same load generator), but with
`benchmarks/floor_site/` in front of the portal's URLs: the submit page becomes `base.html`
with a form and nothing else, and the submit only checks the login and the CSRF token and
redirects. Each request still loads the session and the user, as every page of the portal
does. What it reaches is the most any version of the real cycle could reach on this machine
with this stack; `deadline_surge.py` measures the real one. No job workers run.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from deadline_surge import (  # this script's folder
    HOST,
    PG,
    PYTHON,
    ROOT,
    Applicant,
    CpuMeter,
    Stack,
    drop_cache_keys,
    pct,
    production_env,
)


def run(stack, env, applicants, seconds):
    setup = subprocess.run(
        [PYTHON, str(ROOT / "benchmarks" / "deadline_surge.py"), "--setup-child",
         str(applicants), "1", f"floor{applicants}x{os.getpid()}"],
        env=dict(env, DJANGO_SETTINGS_MODULE="kcity.settings"), capture_output=True, text=True)
    if setup.returncode:
        raise SystemExit(f"setting up failed:\n{setup.stderr[-3000:]}")
    data = json.loads(setup.stdout.strip().splitlines()[-1])
    results, lock = [], threading.Lock()
    stop_at = time.monotonic() + seconds
    # The floor's POST stores nothing, so one proposal serves every cycle (at most 20,000).
    threads = [Applicant(stack.port, a["session"], a["proposals"] * 20_000, "normal",
                         stop_at, results, lock) for a in data["applicants"]]
    meter = CpuMeter(stack)
    meter.start()
    t0 = time.monotonic()
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads) and time.monotonic() < stop_at + 30:
        meter.sample()
        time.sleep(0.25)
    for t in threads:
        t.join(timeout=5)
    wall = time.monotonic() - t0
    cpu = meter.report()
    done = [r for r in results if r["kind"] == "stored"]
    kinds = Counter(r["kind"] for r in results)
    report = {
        "applicants": applicants, "seconds": seconds,
        "cycles_per_s": round(len(done) / wall, 1),
        "submit_ms": [round(pct([r["submit_s"] for r in done], q) * 1000, 1) for q in (50, 95, 99)],
        "cycle_ms": [round(pct([r["cycle_s"] for r in done], q) * 1000, 1) for q in (50, 95, 99)],
        "answers": dict(kinds), "cpu_cores": cpu["cores"],
    }
    print(f"floor {applicants:>4} applicants {seconds:>4.0f} s: {report['cycles_per_s']:7.1f} "
          f"cycles/s  submit p50/p95/p99 {'/'.join(map(str, report['submit_ms']))} ms  cycle "
          f"{'/'.join(map(str, report['cycle_ms']))} ms", flush=True)
    print(f"{'':>6}answers {dict(kinds)}  CPU in cores (of {os.cpu_count()}): {cpu['cores']}",
          flush=True)
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", default="50")
    parser.add_argument("--port", type=int, default=8792)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--no-cache", action="store_true",
                        help="sessions in the database alone, even when Redis answers")
    args = parser.parse_args(argv)

    import psycopg

    dbname = f"kcity_floor_{os.getpid()}"
    admin = psycopg.connect(dbname="postgres", autocommit=True, **PG)
    admin.execute(f'CREATE DATABASE "{dbname}"')
    tmp = Path(tempfile.mkdtemp(prefix="kcity-floor-"))
    env = dict(os.environ, **production_env(dbname, tmp, HOST,
                                            shared_cache=False if args.no_cache else None))
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "benchmarks" / "floor_site"),
                                         env["PYTHONPATH"]])
    stack, reports = None, []
    try:
        subprocess.run([PYTHON, "-m", "kcity.cli", "migrate", "-v", "0"], env=env, check=True)
        env["DJANGO_SETTINGS_MODULE"] = "floor_settings"
        stack = Stack(env, args.port, int(env.get("KCITY_WEB_WORKERS", "3")), 0, tmp,
                      web_threads=int(env.get("KCITY_WEB_THREADS", "4")))
        sessions = "read through Redis" if env.get("KCITY_CACHE_URL") else "in the database"
        print(f"database {dbname}; gunicorn {stack.web_workers} x {stack.web_threads}; "
              f"sessions {sessions}; logs in {tmp}", flush=True)
        stack.start()
        for n in args.concurrency.split(","):
            reports.append(run(stack, env, int(n), args.seconds))
    finally:
        if stack:
            stack.stop()
        admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        admin.close()
        drop_cache_keys(env)
    if args.json:
        args.json.write_text(json.dumps(reports, indent=2))
    return 0 if all(r["answers"].get("stored") for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Where one submit cycle's time goes: an in-process profile of the deadline-surge cycle.

    .venv/bin/python benchmarks/deadline_surge_profile.py            # 50 cycles, cProfile
    .venv/bin/python benchmarks/deadline_surge_profile.py --cycles 200 --no-profile

It creates a FRESH PostgreSQL database `kcity_surge_prof_<pid>` on 127.0.0.1:5432 (dropped at
the end), migrates it with the production settings (KCITY_MODE=production, persistent
connections, cached templates), makes drafts the way `deadline_surge.py` does, and then, in
this one process, runs N cycles of the benchmark's applicant through Django's test client:
GET the submit page, POST it. It prints the queries per request, the wall and CPU time per
cycle and (unless --no-profile) the top functions by cumulative time.
"""

import argparse
import cProfile
import io
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from deadline_surge import PG, ROOT, drop_cache_keys, production_env  # this script's folder


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=50)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args(argv)

    import psycopg

    dbname = f"kcity_surge_prof_{os.getpid()}"
    admin = psycopg.connect(dbname="postgres", autocommit=True, **PG)
    admin.execute(f'CREATE DATABASE "{dbname}"')
    tmp = Path(tempfile.mkdtemp(prefix="kcity-surge-prof-"))
    os.environ.update(production_env(dbname, tmp, "testserver"))
    try:
        subprocess.run([sys.executable, "-m", "kcity.cli", "migrate", "-v", "0"], check=True)
        subprocess.run([sys.executable, "-m", "kcity.cli", "collectstatic", "--noinput",
                        "-v", "0"], check=True)
        setup = subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "deadline_surge.py"), "--setup-child",
             "1", str(args.cycles + 5), "prof"], capture_output=True, text=True)
        if setup.returncode:
            raise SystemExit(f"setting up failed:\n{setup.stderr[-3000:]}")
        import json

        data = json.loads(setup.stdout.strip().splitlines()[-1])
        return run(data, args)
    finally:
        if "django" in sys.modules and os.environ.get("DJANGO_SETTINGS_MODULE"):
            from django.db import connections

            connections.close_all()
        admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        admin.close()
        drop_cache_keys(os.environ)


def run(data, args) -> int:
    import re

    import django

    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kcity.settings")
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    applicant = data["applicants"][0]
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = applicant["session"]
    key_re = re.compile(r'name="key" value="([^"]+)"')
    proposals = iter(applicant["proposals"])
    queries = {"page": [], "submit": []}

    def cycle(count_queries=False):
        pk = next(proposals)
        with CaptureQueriesContext(connection) as page_q:
            page = client.get(f"/en/proposals/{pk}/submit/", secure=True)
        key = key_re.search(page.content.decode()).group(1)
        with CaptureQueriesContext(connection) as submit_q:
            answer = client.post(f"/en/proposals/{pk}/submit/", {"key": key}, secure=True)
        assert answer.status_code == 302 and "/receipts/" in answer["Location"], answer
        if count_queries:
            queries["page"].append(len(page_q.captured_queries))
            queries["submit"].append(len(submit_q.captured_queries))
            return page_q.captured_queries, submit_q.captured_queries
        return None

    page_sql, submit_sql = cycle(count_queries=True)  # warm-up (templates, connection)
    for _ in range(2):
        cycle(count_queries=True)
    n = args.cycles
    wall0, cpu0 = time.perf_counter(), time.process_time()
    profiler = None if args.no_profile else cProfile.Profile()
    if profiler:
        profiler.enable()
    for _ in range(n):
        cycle()
    if profiler:
        profiler.disable()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    print(f"{n} cycles: {wall / n * 1000:.1f} ms wall and {cpu / n * 1000:.1f} ms CPU of this "
          f"process per cycle{' (under cProfile)' if profiler else ''}")
    print(f"queries per cycle: page {queries['page'][-1]}, submit {queries['submit'][-1]}")
    for name, captured in (("page", page_sql), ("submit", submit_sql)):
        print(f"-- {name} queries:")
        for q in captured:
            print(f"   {q['time']}s  {q['sql'][:150]}")
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())

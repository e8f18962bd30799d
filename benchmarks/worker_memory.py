#!/usr/bin/env python3
"""Job-worker memory while it renders receipts for minutes on end.

    .venv/bin/python benchmarks/worker_memory.py                    # 300 s, PDFs in children
    .venv/bin/python benchmarks/worker_memory.py --no-isolate-pdf   # the same, PDFs in-process
    .venv/bin/python benchmarks/worker_memory.py --seconds 60 --submissions 300   # shorter

It creates a FRESH PostgreSQL database `kcity_workermem_<pid>` on 127.0.0.1:5432 (dropped
at the end), migrates it, makes `--submissions` complete drafts the way `deadline_surge.py`
does and submits them all (each queues its e-mail and its receipt PDF), then runs ONE
`kcity worker` (not niced, nothing else running) for `--seconds`, and samples every 10 s the
worker's resident memory, the memory of its PDF child if one is alive, and how many receipts
it has rendered. The deadline-surge benchmark cannot show this: there the niced workers
share two cores with the web workers and render few PDFs while the surge lasts.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from deadline_surge import PG, PYTHON, children, production_env, rss_mb  # noqa: E402


def submit_child(username_prefix: str) -> None:
    """Inside Django: submit every draft of the set-up user (queues e-mails and receipts)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kcity.settings")
    django.setup()
    from kcity.accounts.models import User
    from kcity.applications import services
    from kcity.applications.models import Proposal

    user = User.objects.get(username__startswith=username_prefix)
    drafts = Proposal.objects.filter(created_by=user, state="draft").order_by("pk")
    for proposal in drafts:
        services.submit_proposal(proposal=proposal, by=user, key=services.new_submit_key())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--submissions", type=int, default=3000)
    parser.add_argument("--no-isolate-pdf", action="store_true",
                        help="render in the worker process (to compare)")
    parser.add_argument("--submit-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.submit_child:
        submit_child(args.submit_child)
        return 0

    import psycopg

    dbname = f"kcity_workermem_{os.getpid()}"
    admin = psycopg.connect(dbname="postgres", autocommit=True, **PG)
    admin.execute(f'CREATE DATABASE "{dbname}"')
    tmp = Path(tempfile.mkdtemp(prefix="kcity-workermem-"))
    env = dict(os.environ, **production_env(dbname, tmp, "127.0.0.1", shared_cache=False))
    worker = None
    try:
        subprocess.run([PYTHON, "-m", "kcity.cli", "migrate", "-v", "0"], env=env, check=True)
        subprocess.run([PYTHON, str(ROOT / "benchmarks" / "deadline_surge.py"), "--setup-child",
                        "1", str(args.submissions), "wm"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        started = time.monotonic()
        subprocess.run([PYTHON, __file__, "--submit-child", "surge-wm-"], env=env, check=True)
        print(f"database {dbname}; {args.submissions} submissions queued in "
              f"{time.monotonic() - started:.0f} s; logs in {tmp}", flush=True)
        argv = [PYTHON, "-m", "kcity.cli", "worker", "--worker-id", f"wm-{os.getpid()}",
                "--verbosity", "0"]
        if args.no_isolate_pdf:
            argv.append("--no-isolate-pdf")
        with open(tmp / "worker.log", "ab") as log:
            worker = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
        conn = psycopg.connect(dbname=dbname, autocommit=True, **PG)
        start = time.monotonic()
        rows = []
        while True:
            elapsed = time.monotonic() - start
            rendered = conn.execute("SELECT count(*) FROM applications_receiptpdf").fetchone()[0]
            kids = [rss_mb(p) for p in children(worker.pid)]
            rows.append((round(elapsed), round(rss_mb(worker.pid), 1),
                         round(max(kids), 1) if kids else None, rendered))
            if elapsed >= args.seconds or worker.poll() is not None:
                break
            time.sleep(min(10.0, max(0.0, args.seconds - elapsed)))
        conn.close()
        restarts = (tmp / "worker.log").read_text(errors="replace").count("starts afresh")
        mode = "in the worker" if args.no_isolate_pdf else "in a child per PDF"
        print(f"PDFs {mode}: {rows[-1][3]} receipts in {rows[-1][0]} s "
              f"({rows[-1][3] / max(rows[-1][0], 1):.1f}/s); worker restarts: {restarts}")
        print("   s   worker MB   PDF child MB   receipts")
        for s, mb, kid, n in rows:
            print(f"{s:>4} {mb:>11} {kid if kid is not None else '-':>14} {n:>10}")
        worker_mb = [mb for _s, mb, _k, _n in rows[1:]]
        if worker_mb:
            print(f"worker RSS after the first sample: min {min(worker_mb)} MB, "
                  f"max {max(worker_mb)} MB")
    finally:
        if worker is not None and worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
        admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        admin.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

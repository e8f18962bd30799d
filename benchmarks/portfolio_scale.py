#!/usr/bin/env python3
"""The public portfolio at 20x today's size: public pages, the IATI file, the annual report.

    .venv/bin/python benchmarks/portfolio_scale.py          # 1,200 projects, 50,000 proposals
    .venv/bin/python benchmarks/portfolio_scale.py --scale 0.1 # a tenth, to try it quickly

It creates a FRESH PostgreSQL database `kcity_portfolio_<pid>` on 127.0.0.1:5432 (dropped at
the end), migrates it with the production settings (cached templates, persistent connection),
loads the demo through its loader, and then adds, in bulk, what 20 years' worth of the
programme would hold: organisations and their applicants in 60 countries, 50,000 proposals over
the real cycles, and public projects up to 1,200 in all, a third of them with the platform's
paperwork (award, contract, accepted deliverables, payments, follow-on investment).

The made-up rows are a load, not a demo: they live only in this throw-away database.

Then, in this one process, Django's test client asks every public page `--requests` times
(after three warm-up requests) and prints p50/p95/max in milliseconds and the queries per page,
times the IATI file of every project and the annual report PDF (both languages, public). The
targets (issue 18): every public page p95 under 50 ms with a bounded number of queries; the
IATI file under 2 s; the report under 15 s. The machine's load average is printed with them.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from deadline_surge import PG, ROOT, drop_cache_keys, production_env  # noqa: E402  (this folder)

COUNTRIES = (
    "VN KH LA TH MY ID PH MM MN KZ UZ KG TJ BD NP LK IN PK TR AZ GE EG KE TZ UG RW ET GH NG SN "
    "CI ZA MA TN PE CO EC BO CL BR MX GT CR PA PY AR UA PL BG RO HU ES IT FJ PG SB TL BT"
).split()
CITIES = ("North", "South", "River", "Harbour", "New", "Old", "Lake", "Hill", "Port", "Central")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="1.0 = 1,200 projects and 50,000 proposals")
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database (prints its name)")
    args = parser.parse_args(argv)

    import psycopg

    dbname = f"kcity_portfolio_{os.getpid()}"
    admin = psycopg.connect(dbname="postgres", autocommit=True, **PG)
    admin.execute(f'CREATE DATABASE "{dbname}"')
    tmp = Path(tempfile.mkdtemp(prefix="kcity-portfolio-"))
    env = production_env(dbname, tmp, "testserver", shared_cache=False)
    os.environ.update(env)
    try:
        subprocess.run([sys.executable, "-m", "kcity.cli", "migrate", "-v", "0"], check=True,
                       cwd=ROOT)
        subprocess.run([sys.executable, "-m", "kcity.cli", "collectstatic", "--noinput",
                        "-v", "0"], check=True, cwd=ROOT)
        sys.path.insert(0, str(ROOT / "src"))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kcity.settings")
        import django

        django.setup()
        started = time.perf_counter()
        sizes = build(scale=args.scale, seed=args.seed)
        print(f"data: {sizes} in {time.perf_counter() - started:.1f} s", flush=True)
        analyze()
        measure(requests=args.requests)
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        drop_cache_keys(env)
        if args.keep:
            print(f"kept database {dbname}")
        else:
            admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        admin.close()
    return 0


# ---- the data ---------------------------------------------------------------------------------

def build(*, scale: float, seed: int) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from kcity.accounts.models import Organisation, OrgKind, Role, User
    from kcity.applications.models import Proposal, ProposalState
    from kcity.portfolio.models import SelectedProject
    from kcity.programs.models import Cycle, Track
    from kcity.projects.delivery_models import Deliverable, DeliverableState, Payment
    from kcity.projects.models import FollowOn, FollowOnKind, Project, ProjectState
    from kcity.site.demo import load_demo

    load_demo()
    rng = random.Random(seed)
    n_projects = round(1200 * scale)
    n_proposals = round(50_000 * scale)
    now = timezone.now()
    secretariat = User.objects.filter(role=Role.SECRETARIAT).first()
    tracks = list(Track.objects.filter(cycle__is_demo=False).select_related("cycle"))
    if not tracks:
        raise SystemExit("no real cycle's tracks: the demo loader should have made them")
    password = make_password(None)
    with transaction.atomic():
        orgs = Organisation.objects.bulk_create(
            Organisation(kind=OrgKind.FOREIGN_GOVERNMENT if i % 2 else OrgKind.KOREAN_COMPANY,
                         name=f"Load organisation {i}", country=COUNTRIES[i % len(COUNTRIES)])
            for i in range(max(10, n_proposals // 100)))
        users = User.objects.bulk_create(
            User(username=f"load-{i}", email=f"load-{i}@example.org", password=password,
                 role=Role.APPLICANT, organisation=org)
            for i, org in enumerate(orgs))
        states = [ProposalState.SUBMITTED, ProposalState.ELIGIBLE, ProposalState.NOT_SELECTED,
                  ProposalState.RESERVE, ProposalState.INELIGIBLE]
        proposals = []
        for i in range(n_proposals):
            track, user = rng.choice(tracks), users[i % len(users)]
            proposals.append(Proposal(
                cycle=track.cycle, track=track, organisation=user.organisation, created_by=user,
                state=rng.choice(states), title=f"Load proposal {i}",
                city=f"{rng.choice(CITIES)} {i % 97}",
                country=user.organisation.country, requested_amount=300_000_000,
                matching_funds_amount=0))
        proposals = Proposal.objects.bulk_create(proposals, batch_size=2000)
        have = SelectedProject.objects.count()
        with_paperwork = max(0, (n_projects - have) // 3)
        history = max(0, n_projects - have - with_paperwork)
        records = SelectedProject.objects.bulk_create(
            SelectedProject(year=2020 + i % 7, track_kind=kind, programme=kind,
                            city=f"{rng.choice(CITIES)} {i}", country=rng.choice(COUNTRIES),
                            title=f"Load project {i}")
            for i, kind in ((i, rng.choice(["planning", "demonstration"]))
                            for i in range(history + with_paperwork)))
        chosen = rng.sample(proposals, with_paperwork)
        Proposal.objects.filter(pk__in=[p.pk for p in chosen]).update(
            state=ProposalState.SELECTED)
        project_states = [ProjectState.IN_PROGRESS, ProjectState.COMPLETED,
                          ProjectState.AGREEMENT_PENDING]
        projects = Project.objects.bulk_create(
            Project(proposal=p, record=r, state=rng.choice(project_states),
                    deliverable_type="master_plan", award=500_000_000,
                    contract_value=450_000_000, planned_start=dt.date(2025, 3, 1),
                    planned_end=dt.date(2026, 6, 30))
            for p, r in zip(chosen, records[history:], strict=True))
        deliverables = Deliverable.objects.bulk_create(
            Deliverable(project=p, kind="master_plan", title_en="Master plan",
                        title_ko="마스터플랜", due_on=dt.date(2026, 5, 31),
                        payment_share=450_000_000, state=DeliverableState.ACCEPTED,
                        accepted_at=now, created_by=secretariat)
            for p in projects if p.state != ProjectState.AGREEMENT_PENDING)
        Payment.objects.bulk_create(
            Payment(project=d.project, deliverable=d, amount=225_000_000,
                    paid_on=dt.date(2026, 6, 15), recorded_by=secretariat, recorded_at=now)
            for d in deliverables)
        FollowOn.objects.bulk_create(
            FollowOn(project=p, kind=rng.choice(list(FollowOnKind)),
                     amount=rng.randrange(1, 50) * 1_000_000_000, on=dt.date(2026, 9, 1))
            for p in projects if p.state == ProjectState.COMPLETED)
    return {"projects": SelectedProject.objects.count(), "with paperwork": Project.objects.count(),
            "proposals": Proposal.objects.count(), "payments": Payment.objects.count(),
            "cycles": Cycle.objects.count()}


def analyze() -> None:
    """Refresh the planner's statistics after the bulk load, as autovacuum does for a live
    database: without them PostgreSQL guesses a few thousand proposals and picks its plans
    for those."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# ---- the measurements ------------------------------------------------------------------------

def public_pages() -> list[str]:
    """Every public page, in both languages (one project page: they are all alike)."""
    from django.urls import reverse
    from django.utils import translation

    from kcity.portfolio.models import SelectedProject

    project = SelectedProject.objects.filter(paperwork__isnull=False).order_by("pk").first()
    year = SelectedProject.objects.order_by("-year").values_list("year", flat=True).first()
    pages = []
    for lang in ("en", "ko"):
        with translation.override(lang):
            pages += [reverse(name, kwargs=kwargs) for name, kwargs in PAGES(project, year)]
    return pages + API


def PAGES(project, year):  # noqa: N802  (a table)
    return [
        ("opendata:home", {}),
        ("opendata:portfolio", {}),
        ("opendata:portfolio_years", {}),
        ("opendata:portfolio_map", {}),
        ("opendata:portfolio_project", {"pk": project.pk}),
        ("opendata:statistics", {}),
        ("exports:index", {}),
        ("programs:call_list", {}),
    ]


API = ["/api/v1/projects", "/api/v1/projects?page=40", "/api/v1/statistics", "/api/v1/calls",
       "/api/v1/results"]


def measure(*, requests: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="testserver")
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"{os.cpu_count()} cores")
    print(f"{'page':45} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}")
    worst = 0.0
    for url in public_pages():
        for _ in range(3):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
        times = []
        for _ in range(requests):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                if hasattr(response, "streaming_content"):
                    b"".join(response.streaming_content)
                times.append((time.perf_counter() - started) * 1000)
        p95 = statistics.quantiles(times, n=20)[-1]
        worst = max(worst, p95)
        print(f"{url:45} {statistics.median(times):8.1f} {p95:8.1f} {max(times):8.1f} "
              f"{len(queries):8d}", flush=True)
    print(f"worst p95: {worst:.1f} ms (target 50 ms): {'met' if worst < 50 else 'MISSED'}")
    timed("IATI file of every project", 2.0, iati_file)
    for lang in ("en", "ko"):
        timed(f"annual report PDF ({lang}, public, in this process)", 15.0,
              lambda lang=lang: annual_report(lang))
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def timed(label: str, target: float, make) -> None:
    started, cpu = time.perf_counter(), time.process_time()
    size = make()
    wall = time.perf_counter() - started
    print(f"{label}: {wall:.2f} s wall, {time.process_time() - cpu:.2f} s CPU, {size:,} bytes "
          f"(target {target:g} s): {'met' if wall < target else 'MISSED'}", flush=True)


def iati_file() -> int:
    from kcity.opendata.iati import xml_bytes

    return len(xml_bytes())


def annual_report(lang: str) -> int:
    from kcity.opendata.report import render_pdf

    return len(render_pdf(year=2026, language=lang, public=True, isolated=False))


if __name__ == "__main__":
    sys.exit(main())

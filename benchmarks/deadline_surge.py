#!/usr/bin/env python3
"""Deadline-day surge: the production setup under concurrent applicants who all submit.

    .venv/bin/python benchmarks/deadline_surge.py              # floor + real, 50 applicants, 20 s
    .venv/bin/python benchmarks/deadline_surge.py --drain 1,2  # then the drain, 1 and 2 workers
    .venv/bin/python benchmarks/deadline_surge.py --modes normal,upload,impatient,kill
    .venv/bin/python benchmarks/deadline_surge.py --smoke         # a minute, exactly-once only (CI)

It creates a FRESH PostgreSQL database `kcity_surge_<pid>` on 127.0.0.1:5432 (dropped at the
end), migrates it, and starts the production setup against it: `kcity serve --production`
(gunicorn, KCITY_MODE=production, a generated SECRET_KEY) with the portal's production
settings plus the floor's page beside its URLs and a per-request SQL statement counter
(benchmarks/floor_site/floor_settings.py).

One run, two figures: N applicants (threads, traffic to 127.0.0.1 only, one kept-alive
connection each) load a submit page and POST it, for `--seconds`, first on the floor's page
(`base.html` and a form; the POST checks the login and the CSRF token and redirects: the
cycle with no application work), then, on the same server, with the same applicants,
concurrency and duration, on the real submit (the track stays open: every cycle stores a
submission). It prints both phases' cycles/s, submit and cycle p50/p95/p99, CPU milliseconds
per cycle of the web processes, of the PostgreSQL backends of this database (pg_stat_activity;
/proc/<pid>/stat) and of the load generator, SQL statements per cycle (X-Bench-Queries: the
statements Django sent, BEGIN/COMMIT and Redis session reads not counted), and the ratio
real/floor. No job worker runs meanwhile; `--drain 1,2` then times N un-niced `kcity worker`s
emptying the queue the surge left (receipt PDFs and e-mails), a new surge for each count
after the first, and says how long a 60 s surge at the measured rate would take.

`--modes` adds the exactly-once runs (job workers running, niced): `normal`; `upload` (each
cycle first uploads a 200 KB PDF); `impatient` (client timeout 4 s on the submit, then the
same submission sent again); `kill` (every 5-7 s one worker process is SIGKILLed: a gunicorn
worker, which gunicorn replaces, or a job worker, which the benchmark restarts, in turn). The
track's deadline falls at 80 % of each such run; a submit or an upload after it is refused
and counted as such. After every run it checks in the database that every acknowledged
submission is stored exactly once with its receipt number, its e-mail row and both of its
queued jobs, that every proposal is either untouched or completely submitted (nothing
half-stored), and nothing was stored after the deadline; --smoke (and --drain) also wait for
the queue and check each e-mail was sent exactly once. Exit status 1 when a check fails.
"""

import argparse
import http.client
import io
import json
import math
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from pypdf import PdfWriter

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
HOST = "127.0.0.1"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}

TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY_RE = re.compile(r'name="key" value="([^"]+)"')
RECEIPT_RE = re.compile(r"/proposals/(\d+)/receipts/(\d+)/$")
def _pdf_200k() -> bytes:
    """A real one-page PDF of about 200 KB (uploads are parsed, not judged by their first
    bytes): the padding is a long document subject."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Subject": "0" * (200 * 1024)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF_200K = _pdf_200k()


REDIS = ("127.0.0.1", 6379)


def redis_answers() -> bool:
    import socket

    try:
        with socket.create_connection(REDIS, timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def production_env(dbname: str, data_dir, allowed_host: str, shared_cache=None) -> dict:
    """The production settings every benchmark runs with, on database `dbname`; sessions in
    the shared cache (Redis database 14) when it answers, unless `shared_cache` is False."""
    env = {
        "KCITY_MODE": "production", "SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{dbname}",
        "ALLOWED_HOSTS": allowed_host, "KCITY_DATA_DIR": str(data_dir),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "PYTHONPATH": str(ROOT / "src"),
        # The load generator speaks plain HTTP to the portal, as a TLS-terminating proxy does.
        "KCITY_SSL_REDIRECT": "0",
    }
    if shared_cache is not False and redis_answers():
        # Each database its own key prefix: runs side by side do not share sessions.
        env["KCITY_CACHE_URL"] = f"redis://{REDIS[0]}:{REDIS[1]}/14"
        env["KCITY_CACHE_PREFIX"] = dbname
    return env


def drop_cache_keys(env) -> None:
    """Forget the run's sessions in Redis, as the run's database is dropped."""
    if env.get("KCITY_CACHE_URL"):
        import redis

        client = redis.Redis.from_url(env["KCITY_CACHE_URL"])
        for name in client.scan_iter(f"{env['KCITY_CACHE_PREFIX']}:*", count=1000):
            client.delete(name)
        client.close()


# ---- the set-up child: runs with the benchmark's environment, inside Django --------------------


def setup_child(applicants: int, per_applicant: int, run_name: str) -> None:
    """Create `applicants` users with sessions, each with `per_applicant` complete drafts;
    print JSON. The first complete draft is made through the services, the rest are copies."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kcity.settings")
    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
    from django.db import transaction
    from django.utils import timezone

    from kcity.accounts.models import Organisation, Role, User
    from kcity.applications.demo import DEMO_YEAR, _attach_all, _demonstration
    from kcity.applications.models import ConsortiumMember, Document, Proposal
    from kcity.programs.models import IntakeMode, Track
    from kcity.site.demo import load_demo

    if not Track.objects.filter(cycle__year=DEMO_YEAR, code="DEMO").exists():
        load_demo()
    track = Track.objects.get(cycle__year=DEMO_YEAR, code="DEMO")  # the demo's open call
    # Open until the driver sets the run's deadline.
    track.intake_mode, track.cutoff = IntakeMode.FIXED, None
    track.deadline = timezone.now() + timedelta(days=1)
    track.save(update_fields=["intake_mode", "cutoff", "deadline"])
    lead = User.objects.get(username="company-applicant")
    partner = User.objects.get(username="partner")
    org = Organisation.objects.get(pk=lead.organisation_id)
    template = _demonstration(track, lead, partner, f"Surge template {run_name}")
    _attach_all(template, lead)
    docs = list(template.documents.all())
    member = template.members.get()
    out = []
    with transaction.atomic():
        users = User.objects.bulk_create([
            User(username=f"surge-{run_name}-{i}", email=f"surge-{run_name}-{i}@example.org",
                 organisation=org, role=Role.APPLICANT, password="!", preferred_language="en")
            for i in range(applicants)
        ])
        for user in users:
            copies = Proposal.objects.bulk_create([
                Proposal(**{
                    f.attname: getattr(template, f.attname)
                    for f in Proposal._meta.concrete_fields if f.attname != "id"
                } | {"created_by_id": user.pk, "title": f"Surge {run_name} {user.pk}.{n}"})
                for n in range(per_applicant)
            ])
            Document.objects.bulk_create([
                Document(**{f.attname: getattr(d, f.attname)
                            for f in Document._meta.concrete_fields if f.attname != "id"}
                         | {"proposal_id": p.pk})
                for p in copies for d in docs
            ])
            ConsortiumMember.objects.bulk_create([
                ConsortiumMember(**{f.attname: getattr(member, f.attname)
                                    for f in ConsortiumMember._meta.concrete_fields
                                    if f.attname != "id"}
                                 | {"proposal_id": p.pk, "token": secrets.token_urlsafe(32)})
                for p in copies
            ])
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[1]  # after axes
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            out.append({"session": session.session_key, "proposals": [p.pk for p in copies]})
    print(json.dumps({"track": track.pk, "applicants": out}))


# ---- the driver ---------------------------------------------------------------------------------


class Applicant(threading.Thread):
    def __init__(self, port, session, proposals, mode, stop_at, results, lock,
                 prefix="proposals"):
        super().__init__(daemon=True)
        self.port, self.session, self.proposals = port, session, list(proposals)
        self.mode, self.stop_at, self.results, self.lock = mode, stop_at, results, lock
        self.prefix = prefix  # "floor": the floor's page and POST (benchmarks/floor_site)
        self.csrf = None
        self.statements = 0  # SQL statements the server reported (X-Bench-Queries)

    conn = None  # kept alive between requests, as a browser does (gthread answers keep-alive)
    reused = 0

    def request(self, method, path, body=None, headers=None, timeout=30.0):
        cookies = f"sessionid={self.session}" + (f"; csrftoken={self.csrf}" if self.csrf else "")
        headers = {"Cookie": cookies, **(headers or {})}
        fresh = self.conn is None
        if fresh:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        self.conn.timeout = timeout
        if self.conn.sock is not None:
            self.conn.sock.settimeout(timeout)
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            self.close()
            if fresh:
                raise
            # The server closed the idle kept-alive connection before reading this request
            # (its keep-alive timeout, or a killed worker): send it again on a new one, as
            # browsers do. Resending a submit is safe: the key makes it the same submission.
            self.reused += 1
            return self.request(method, path, body, headers, timeout)
        except BaseException:
            self.close()
            raise
        try:
            data = response.read()
        except BaseException:
            self.close()
            raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("csrftoken="):
                self.csrf = value.split(";", 1)[0].split("=", 1)[1]
            elif header.lower() == "x-bench-queries":
                self.statements += int(value)
        if response.will_close:
            self.close()
        return response.status, response.getheader("Location") or "", data

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def record(self, **row):
        with self.lock:
            self.results.append(row)

    def run(self):
        try:
            for pk in self.proposals:  # bounded by the pool and by the clock
                if time.monotonic() >= self.stop_at:
                    return
                self.cycle(pk)
        finally:
            self.close()

    def cycle(self, pk):
        start = time.monotonic()
        base = f"/en/proposals/{pk}"
        try:
            if self.mode == "upload":
                status, _loc, page = self.request("GET", f"{base}/")
                token = TOKEN_RE.search(page.decode())
                boundary = secrets.token_hex(16)
                body = b"".join([
                    f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\""
                    f"\r\n\r\n{token.group(1) if token else ''}\r\n".encode(),
                    f"--{boundary}\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\n"
                    "business_plan\r\n".encode(),
                    f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                    "filename=\"plan.pdf\"\r\nContent-Type: application/pdf\r\n\r\n".encode(),
                    PDF_200K, f"\r\n--{boundary}--\r\n".encode(),
                ])
                status, _loc, answer = self.request(
                    "POST", f"{base}/documents/", body,
                    {"Content-Type": f"multipart/form-data; boundary={boundary}"})
                if status == 400 and b"no longer accepted" in answer:
                    # The upload came after the deadline: the server refuses the change with
                    # the deadline message (services.edit_refusal), as it refuses the submit.
                    self.record(pk=pk, kind="refused: deadline passed (upload)", key=None,
                                at=time.time())
                    return
                if status != 302:
                    self.record(pk=pk, kind=f"upload http {status}", key=None)
                    return
            if self.prefix != "proposals":
                base = f"/en/{self.prefix}/{pk}"
            status, _loc, page = self.request("GET", f"{base}/submit/")
            text = page.decode()
            token, key = TOKEN_RE.search(text), KEY_RE.search(text)
            if status != 200 or not token or not key:
                self.record(pk=pk, kind=f"submit page http {status}", key=None)
                return
            body = urlencode({"csrfmiddlewaretoken": token.group(1), "key": key.group(1)})
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            t0 = time.monotonic()
            sent_twice = False
            try:
                timeout = 4.0 if self.mode == "impatient" else 60.0
                status, location, page = self.request("POST", f"{base}/submit/", body, headers,
                                                      timeout=timeout)
            except TimeoutError:
                if self.mode != "impatient":
                    raise
                sent_twice = True  # gave up waiting: the same submission again
                status, location, page = self.request("POST", f"{base}/submit/", body, headers)
            submit_s = time.monotonic() - t0
            match = RECEIPT_RE.search(location)
            if status == 302 and match:
                kind = "stored (sent twice)" if sent_twice else "stored"
                self.record(pk=pk, kind=kind, key=key.group(1), submission=int(match.group(2)),
                            submit_s=submit_s, cycle_s=time.monotonic() - start,
                            at=time.time())
            elif status == 200 and "no longer accepted" in page.decode():
                self.record(pk=pk, kind="refused: deadline passed", key=key.group(1),
                            at=time.time())
            else:
                self.record(pk=pk, kind=f"submit http {status}", key=key.group(1))
        except (OSError, http.client.HTTPException) as exc:
            self.record(pk=pk, kind=f"client {type(exc).__name__}", key=None)


def pct(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, math.ceil(q / 100 * len(values)) - 1)]


def rss_mb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_s(pid):
    """User + system CPU seconds of a process (Linux), 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def machine_cpu():
    """(busy, total) jiffies of the whole machine from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def backend_pids(conn):
    """The PostgreSQL backends serving `conn`'s database (the portal's, the job workers' and
    the benchmark's own connections), from pg_stat_activity."""
    return [r[0] for r in sql(conn, "SELECT pid FROM pg_stat_activity "
                                    "WHERE datname = current_database()")]


def postgres_pids():
    out = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


class CpuMeter:
    """CPU seconds used during a run by: the web workers, the job workers, PostgreSQL (all of
    its processes, other engineers' test databases included), this benchmark (the load
    generator), and the whole machine."""

    def __init__(self, stack, conn=None):
        self.stack = stack
        self.conn = conn  # an autocommit connection: also the backends of its database
        self.seen = {}

    def snapshot(self):
        groups = {
            "web": [self.stack.web.pid, *children(self.stack.web.pid)],
            "jobs": [p.pid for p in self.stack.jobs],
            "postgres": postgres_pids(),
        }
        if self.conn is not None:
            groups["pg backends"] = backend_pids(self.conn)
        return {name: {pid: cpu_s(pid) for pid in pids} for name, pids in groups.items()}

    def start(self):
        self.t0 = time.monotonic()
        self.first = self.snapshot()
        self.last = {name: dict(pids) for name, pids in self.first.items()}
        self.self0 = time.process_time()
        self.machine0 = machine_cpu()

    def sample(self):  # processes come and go (killed workers): keep each one's last figure
        now = self.snapshot()
        for name, pids in now.items():
            for pid, value in pids.items():
                self.last.setdefault(name, {})[pid] = max(value, self.last[name].get(pid, 0))

    def report(self):
        self.sample()
        wall = time.monotonic() - self.t0
        used = {name: sum(v - self.first.get(name, {}).get(pid, 0.0) for pid, v in pids.items())
                for name, pids in self.last.items()}
        used["load generator"] = time.process_time() - self.self0
        busy0, total0 = self.machine0
        busy1, total1 = machine_cpu()
        used["machine"] = (busy1 - busy0) / max(1, total1 - total0) * (os.cpu_count() or 1) * wall
        return {"wall_s": round(wall, 1),
                "cores": {k: round(v / wall, 2) for k, v in used.items()}}


def children(pid):
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]
    except OSError:
        return []


class Stack:
    """The production setup: gunicorn through `kcity serve --production`, and job workers."""

    def __init__(self, env, port, web_workers, job_workers, logdir, web_threads=1):
        self.env, self.port, self.logdir = env, port, logdir
        self.web_workers, self.job_workers_n = web_workers, job_workers
        self.web_threads = web_threads
        self.web = None
        self.jobs = []
        # The job workers share the two cores with the portal here: they run niced, so the
        # queue absorbs the surge and drains afterwards (in production they run elsewhere).
        self.job_nice = 10
        self.restarts = 0

    def kcity(self, *args, log="kcity.log", nice=0):
        with open(self.logdir / log, "ab") as out:
            return subprocess.Popen(
                [PYTHON, "-m", "kcity.cli", *args], env=self.env, stdout=out,
                stderr=subprocess.STDOUT, preexec_fn=(lambda: os.nice(nice)) if nice else None,
            )

    def start(self):
        self.web = self.kcity("serve", f"{HOST}:{self.port}", "--production", "--workers",
                              str(self.web_workers), "--threads", str(self.web_threads),
                              log="gunicorn.log")
        self.jobs = [self.start_job_worker(i) for i in range(self.job_workers_n)]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit("the production server did not answer /healthz within 60 s")

    def start_job_worker(self, i):
        return self.kcity("worker", "--worker-id", f"surge-{os.getpid()}-{i}-{self.restarts}",
                          "--verbosity", "0", log=f"worker{i}.log", nice=self.job_nice)

    def start_jobs(self, n, nice):
        """`n` job workers (after stop_jobs), at this niceness."""
        self.job_nice, self.job_workers_n = nice, n
        self.restarts += 1
        self.jobs = [self.start_job_worker(i) for i in range(n)]

    def stop_jobs(self):
        for proc in self.jobs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.jobs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.jobs = []

    def kill_one(self, turn):
        """SIGKILL a gunicorn worker (gunicorn replaces it) or a job worker (restarted)."""
        if turn % 2 == 0:
            pids = children(self.web.pid)
            if pids:
                os.kill(random.choice(pids), signal.SIGKILL)
                return "web worker"
        i = turn // 2 % len(self.jobs)
        self.jobs[i].send_signal(signal.SIGKILL)
        self.jobs[i].wait()
        self.restarts += 1
        self.jobs[i] = self.start_job_worker(i)
        return "job worker"

    def job_rss(self):
        return [rss_mb(p.pid) for p in self.jobs]

    def job_recycles(self):
        """How many times the job workers started afresh (--max-jobs / --max-memory)."""
        return sum(path.read_text(errors="replace").count("starts afresh after")
                   for path in self.logdir.glob("worker*.log"))

    def stop(self):
        for proc in [*self.jobs, self.web]:
            if proc and proc.poll() is None:
                proc.terminate()
        for proc in [*self.jobs, self.web]:
            if proc:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def sql(conn, query, params=()):
    with conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def check_run(conn, results, proposals, deadline_epoch, drain_s):
    """Exactly-once and nothing half-stored, from the database. Returns a list of problems."""
    problems = []
    acked = [r for r in results if r["kind"].startswith("stored")]
    ids = list(proposals)
    # One pass per table (hash joins), not one sub-query per proposal: a run has up to
    # tens of thousands of drafts and as many job rows.
    rows = sql(conn, """
        WITH subs AS (
          SELECT proposal_id, count(*) AS n, max(submitted_at) AS at,
                 min(receipt_number) AS number
          FROM applications_submission WHERE proposal_id = ANY(%(ids)s) GROUP BY 1),
        events AS (
          SELECT proposal_id, count(*) AS n FROM applications_proposalevent
          WHERE proposal_id = ANY(%(ids)s) AND to_state = 'submitted' GROUP BY 1),
        emails AS (
          SELECT proposal_id, count(*) AS n FROM jobs_outboundemail
          WHERE proposal_id = ANY(%(ids)s) GROUP BY 1),
        email_jobs AS (
          SELECT o.proposal_id, count(*) AS n
          FROM jobs_outboundemail o JOIN django_tasks_database_dbtaskresult t
            ON t.task_path = 'kcity.jobs.tasks.deliver_email'
           AND t.args_kwargs -> 'args' -> 0 = to_jsonb(o.id)
           AND t.status IN ('READY', 'RUNNING', 'SUCCESSFUL')
          WHERE o.proposal_id = ANY(%(ids)s) GROUP BY 1),
        receipt_jobs AS (
          SELECT s.proposal_id, count(*) AS n
          FROM applications_submission s JOIN django_tasks_database_dbtaskresult t
            ON t.task_path = 'kcity.applications.tasks.render_receipt'
           AND t.args_kwargs -> 'args' -> 0 = to_jsonb(s.id)
           AND t.status IN ('READY', 'RUNNING', 'SUCCESSFUL')
          WHERE s.proposal_id = ANY(%(ids)s) GROUP BY 1)
        SELECT p.id, p.state, coalesce(subs.n, 0), coalesce(events.n, 0),
               coalesce(emails.n, 0), coalesce(email_jobs.n, 0), coalesce(receipt_jobs.n, 0),
               subs.at, subs.number
        FROM applications_proposal p
        LEFT JOIN subs ON subs.proposal_id = p.id
        LEFT JOIN events ON events.proposal_id = p.id
        LEFT JOIN emails ON emails.proposal_id = p.id
        LEFT JOIN email_jobs ON email_jobs.proposal_id = p.id
        LEFT JOIN receipt_jobs ON receipt_jobs.proposal_id = p.id
        WHERE p.id = ANY(%(ids)s)""", {"ids": ids})
    by_pk = {r[0]: r for r in rows}
    for pk, state, subs, events, emails, email_jobs, receipt_jobs, at, number in rows:
        untouched = (state == "draft", subs, events, emails, email_jobs, receipt_jobs) == (
            True, 0, 0, 0, 0, 0)
        complete = (state == "submitted", subs, events, emails, email_jobs, receipt_jobs) == (
            True, 1, 1, 1, 1, 1) and bool(number)
        if not (untouched or complete):
            problems.append(f"proposal {pk} half-stored or duplicated: state={state} "
                            f"submissions={subs} events={events} emails={emails} "
                            f"email jobs={email_jobs} receipt jobs={receipt_jobs}")
        if at is not None and at.timestamp() > deadline_epoch:
            problems.append(f"proposal {pk} stored after the deadline")
    for r in acked:
        row = by_pk.get(r["pk"])
        if row is None or row[2] != 1:
            problems.append(f"acknowledged proposal {r['pk']} has "
                            f"{row[2] if row else 0} submissions")
            continue
        found = sql(conn, "SELECT id FROM applications_submission WHERE idempotency_key = %s",
                    (r["key"],))
        if [f[0] for f in found] != [r["submission"]]:
            problems.append(f"acknowledged receipt {r['submission']} is not the stored one")
    if drain_s:
        end = time.monotonic() + drain_s
        while time.monotonic() < end:
            left = sql(conn, """SELECT count(*) FROM jobs_outboundemail
                                WHERE proposal_id = ANY(%s) AND sent_at IS NULL""", (ids,))[0][0]
            if left == 0:
                break
            time.sleep(0.5)
        twice = sql(conn, """
            SELECT o.id, count(*) FROM jobs_outboundemail o
            JOIN django_tasks_database_dbtaskresult t
              ON t.task_path = 'kcity.jobs.tasks.deliver_email'
             AND t.args_kwargs -> 'args' -> 0 = to_jsonb(o.id)
             AND t.return_value = '"sent"'::jsonb
            WHERE o.proposal_id = ANY(%s) GROUP BY o.id HAVING count(*) > 1""", (ids,))
        unsent = sql(conn, """SELECT count(*) FROM jobs_outboundemail
                              WHERE proposal_id = ANY(%s) AND sent_at IS NULL""", (ids,))[0][0]
        if twice:
            problems.append(f"{len(twice)} e-mails sent more than once")
        if unsent:
            problems.append(f"{unsent} e-mails still unsent after {drain_s} s")
    return problems


def drive(stack, conn, env, mode, concurrency, seconds, per_applicant, drain_s,
          kill_every=(5.0, 7.0)):
    name = f"{mode}{concurrency}x{os.getpid() % 10000}{random.randint(0, 999)}"
    setup = subprocess.run(
        [PYTHON, __file__, "--setup-child", str(concurrency), str(per_applicant), name],
        env=env, capture_output=True, text=True,
    )
    if setup.returncode:
        raise SystemExit(f"setting up the run failed:\n{setup.stderr[-3000:]}")
    data = json.loads(setup.stdout.strip().splitlines()[-1])
    # The deadline falls inside the run, after 80 % of it.
    start_epoch = time.time() + 1.0
    deadline_epoch = start_epoch + seconds * 0.8
    with conn.cursor() as cur:
        cur.execute("UPDATE programs_track SET deadline = to_timestamp(%s) WHERE id = %s",
                    (deadline_epoch, data["track"]))
    conn.commit()
    time.sleep(max(0.0, start_epoch - time.time()))
    results, lock = [], threading.Lock()
    stop_at = time.monotonic() + seconds
    threads = [Applicant(stack.port, a["session"], a["proposals"], mode, stop_at, results, lock)
               for a in data["applicants"]]
    meter = CpuMeter(stack)
    recycles_before = stack.job_recycles()
    load_before = os.getloadavg()
    meter.start()
    for t in threads:
        t.start()
    rss, kills, turn = [], Counter(), 0
    series, next_sample, t_start = [], time.monotonic(), time.monotonic()
    next_kill = time.monotonic() + random.uniform(*kill_every)
    while any(t.is_alive() for t in threads) and time.monotonic() < stop_at + 90:
        rss.append(sum(stack.job_rss()))
        meter.sample()
        if time.monotonic() >= next_sample:  # the job workers' memory every 30 s
            series.append((round(time.monotonic() - t_start), round(rss[-1], 1)))
            next_sample += 30
        if mode == "kill" and time.monotonic() >= next_kill and time.monotonic() < stop_at:
            kills[stack.kill_one(turn)] += 1
            turn += 1
            next_kill = time.monotonic() + random.uniform(*kill_every)
        time.sleep(0.25)
    for t in threads:
        t.join(timeout=5)
    cpu = meter.report()
    load_after = os.getloadavg()
    resent = sum(t.reused for t in threads)
    recycles = stack.job_recycles() - recycles_before
    stored = [r for r in results if r["kind"].startswith("stored")]
    before = [r for r in stored if r["at"] <= deadline_epoch]
    window = min(seconds * 0.8, max(1e-9, time.time() - start_epoch))
    kinds = Counter(r["kind"] for r in results)
    proposals = [pk for a in data["applicants"] for pk in a["proposals"]]
    problems = check_run(conn, results, proposals, deadline_epoch, drain_s)
    exhausted = sum(1 for a in data["applicants"]
                    if sum(1 for r in results if r["pk"] in set(a["proposals"])) >= per_applicant)
    report = {
        "mode": mode, "applicants": concurrency, "seconds": seconds,
        "stored_per_s": len(before) / window,
        "submit_ms": [round(pct([r["submit_s"] for r in stored], q) * 1000, 1)
                      for q in (50, 95, 99)],
        "cycle_ms": [round(pct([r["cycle_s"] for r in stored], q) * 1000, 1)
                     for q in (50, 95, 99)],
        "answers": dict(kinds), "kills": dict(kills),
        "job_worker_rss_mb": [round(min(rss), 1), round(max(rss), 1)] if rss else [],
        "job_worker_rss_series": series,
        "applicants_out_of_drafts": exhausted, "problems": problems,
        "cpu_cores": cpu["cores"], "load_before": [round(v, 2) for v in load_before],
        "load_after": [round(v, 2) for v in load_after],
        "resent_on_closed_keepalive": resent, "job_worker_recycles": recycles,
    }
    print(f"{mode:>9} {concurrency:>4} applicants {seconds:>4.0f} s: "
          f"{report['stored_per_s']:7.1f} stored/s  submit p50/p95/p99 "
          f"{'/'.join(str(v) for v in report['submit_ms'])} ms  cycle "
          f"{'/'.join(str(v) for v in report['cycle_ms'])} ms", flush=True)
    print(f"{'':>9} answers {dict(kinds)}  kills {dict(kills)}  job-worker RSS min/max "
          f"{report['job_worker_rss_mb']} MB (started afresh {recycles} times)  "
          f"out of drafts {exhausted}", flush=True)
    print(f"{'':>9} CPU in cores (of {os.cpu_count()}): {cpu['cores']}  load average before "
          f"{report['load_before']} after {report['load_after']}  requests resent after a "
          f"closed keep-alive connection: {resent}", flush=True)
    if len(series) > 2:
        print(f"{'':>9} job-worker RSS (s, MB): {series}", flush=True)
    print(f"{'':>9} exactly-once check: "
          + ("OK" if not problems else f"{len(problems)} PROBLEMS: {problems[:5]}"),
          flush=True)
    return report


# ---- one run, two figures: the floor and the real submit cycle, then the drain ------------------


def setup_run(env, concurrency, per_applicant, name):
    setup = subprocess.run(
        [PYTHON, __file__, "--setup-child", str(concurrency), str(per_applicant), name],
        env=env, capture_output=True, text=True,
    )
    if setup.returncode:
        raise SystemExit(f"setting up the run failed:\n{setup.stderr[-3000:]}")
    return json.loads(setup.stdout.strip().splitlines()[-1])


def load(stack, conn, data, prefix, seconds):
    """The applicants of `data` cycle for `seconds` on the real submit (`prefix`
    "proposals") or the floor's ("floor"); returns the phase's figures."""
    results, lock = [], threading.Lock()
    stop_at = time.monotonic() + seconds
    # The floor's POST stores nothing, so one proposal serves every cycle.
    repeat = 20_000 if prefix == "floor" else 1
    threads = [Applicant(stack.port, a["session"], a["proposals"] * repeat, "normal", stop_at,
                         results, lock, prefix=prefix) for a in data["applicants"]]
    meter = CpuMeter(stack, conn)
    load_before = os.getloadavg()
    meter.start()
    t0 = time.monotonic()
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads) and time.monotonic() < stop_at + 60:
        meter.sample()
        time.sleep(0.5)
    for t in threads:
        t.join(timeout=5)
    wall = time.monotonic() - t0
    cpu = meter.report()
    done = [r for r in results if r["kind"] == "stored"]
    n = max(1, len(done))
    per_cycle = {k: round(v * cpu["wall_s"] / n * 1000, 2) for k, v in cpu["cores"].items()}
    return {
        "phase": prefix, "applicants": len(threads), "seconds": seconds, "results": results,
        "cycles": len(done), "cycles_per_s": round(len(done) / wall, 1),
        "submit_ms": [round(pct([r["submit_s"] for r in done], q) * 1000, 1)
                      for q in (50, 95, 99)],
        "cycle_ms": [round(pct([r["cycle_s"] for r in done], q) * 1000, 1)
                     for q in (50, 95, 99)],
        "answers": dict(Counter(r["kind"] for r in results)),
        "cpu_cores": cpu["cores"], "cpu_ms_per_cycle": per_cycle,
        "statements_per_cycle": round(sum(t.statements for t in threads) / n, 2),
        "load_before": [round(v, 2) for v in load_before],
        "load_after": [round(v, 2) for v in os.getloadavg()],
    }


def print_phase(r):
    print(f"{r['phase']:>9} {r['applicants']:>3} applicants {r['seconds']:>4.0f} s: "
          f"{r['cycles_per_s']:7.1f} cycles/s  submit p50/p95/p99 "
          f"{'/'.join(map(str, r['submit_ms']))} ms  cycle "
          f"{'/'.join(map(str, r['cycle_ms']))} ms  SQL statements/cycle "
          f"{r['statements_per_cycle']}", flush=True)
    c = r["cpu_ms_per_cycle"]
    print(f"{'':>9} CPU ms/cycle: web {c.get('web')}, PostgreSQL backends of this database "
          f"{c.get('pg backends')} (all PostgreSQL processes {c.get('postgres')}), load "
          f"generator {c.get('load generator')}, whole machine {c.get('machine')}; cores "
          f"{r['cpu_cores']}", flush=True)
    print(f"{'':>9} answers {r['answers']}  load average before {r['load_before']} after "
          f"{r['load_after']}", flush=True)


def queued_jobs(conn):
    return sql(conn, "SELECT count(*) FROM django_tasks_database_dbtaskresult "
                     "WHERE status IN ('READY', 'RUNNING')")[0][0]


def drain(stack, conn, workers, timeout):
    """Start `workers` un-niced job workers on the queue the surge left and time until no job
    is ready or running. Returns (jobs, seconds or None when the timeout came first, CPU)."""
    jobs = queued_jobs(conn)
    meter = CpuMeter(stack, conn)
    stack.start_jobs(workers, nice=0)
    meter.start()
    t0 = time.monotonic()
    took = None
    while time.monotonic() - t0 < timeout:
        meter.sample()
        if queued_jobs(conn) == 0:
            took = time.monotonic() - t0
            break
        time.sleep(0.5)
    cpu = meter.report()
    stack.stop_jobs()
    return jobs, took, cpu


def ratio_runs(stack, conn, env, concurrency, seconds, per, drains, drain_seconds,
               drain_timeout):
    """The floor and the real submit cycle back to back on one server, same applicants,
    same concurrency and duration; then, per worker count in `drains`, a surge with no job
    worker and the time `kcity worker`s take to empty the queue it left."""
    tag = f"{os.getpid() % 10000}{random.randint(0, 999)}"
    data = setup_run(env, concurrency, per, f"pair{concurrency}x{tag}")
    # The track stays open through the real phase: every real cycle is a submission.
    deadline_epoch = time.time() + seconds + 3600
    with conn.cursor() as cur:
        cur.execute("UPDATE programs_track SET deadline = to_timestamp(%s) WHERE id = %s",
                    (deadline_epoch, data["track"]))
    floor = load(stack, conn, data, "floor", seconds)
    print_phase(floor)
    real = load(stack, conn, data, "proposals", seconds)
    print_phase(real)
    proposals = [pk for a in data["applicants"] for pk in a["proposals"]]
    exhausted = sum(1 for a in data["applicants"]
                    if sum(1 for r in real["results"] if r["pk"] in set(a["proposals"])) >= per)
    real["problems"] = check_run(conn, real["results"], proposals, deadline_epoch, 0)
    real["applicants_out_of_drafts"] = exhausted
    fc, rc = floor["cpu_ms_per_cycle"], real["cpu_ms_per_cycle"]
    summary = {
        "applicants": concurrency, "seconds": seconds,
        "ratio_real_to_floor": round(real["cycles_per_s"] / max(floor["cycles_per_s"], 1e-9),
                                     3),
        "p99_real_to_floor": round(real["submit_ms"][2] / max(floor["submit_ms"][2], 1e-9), 2),
        "floor": {k: v for k, v in floor.items() if k != "results"},
        "real": {k: v for k, v in real.items() if k != "results"},
    }
    print(f"  => real/floor: {summary['ratio_real_to_floor']:.1%} of the floor's cycles/s "
          f"({real['cycles_per_s']} / {floor['cycles_per_s']}); submit p99 "
          f"{real['submit_ms'][2]} vs {floor['submit_ms'][2]} ms "
          f"({summary['p99_real_to_floor']}x); CPU ms/cycle web {rc.get('web')} vs "
          f"{fc.get('web')}, PostgreSQL backends {rc.get('pg backends')} vs "
          f"{fc.get('pg backends')}, load generator {rc.get('load generator')} vs "
          f"{fc.get('load generator')}; SQL statements/cycle {real['statements_per_cycle']} vs "
          f"{floor['statements_per_cycle']}; out of drafts {exhausted}", flush=True)
    print("  exactly-once check (real phase): "
          + ("OK" if not real["problems"] else f"PROBLEMS: {real['problems'][:5]}"),
          flush=True)
    summary["problems"] = real["problems"]
    summary["drains"] = []
    surge_results, surge_proposals = real["results"], proposals
    for i, workers in enumerate(drains):
        if i > 0:  # a new surge (same settings, no job worker) leaves a new queue
            data = setup_run(env, concurrency, per, f"drain{workers}x{tag}{i}")
            with conn.cursor() as cur:
                cur.execute("UPDATE programs_track SET deadline = to_timestamp(%s) "
                            "WHERE id = %s", (time.time() + drain_seconds + 3600, data["track"]))
            again = load(stack, conn, data, "proposals", drain_seconds)
            print_phase(again)
            surge_results = again["results"]
            surge_proposals = [pk for a in data["applicants"] for pk in a["proposals"]]
        stored = sum(1 for r in surge_results if r["kind"] == "stored")
        surge_s = seconds if i == 0 else drain_seconds
        jobs, took, cpu = drain(stack, conn, workers, drain_timeout)
        problems = check_run(conn, surge_results, surge_proposals, time.time() + 3600, 1)
        rate = jobs / took if took else float("nan")
        # A 60 s surge at this surge's rate leaves 60 x stored/s x 2 jobs (PDF + e-mail).
        minute = 60 * stored / surge_s * 2
        row = {"workers": workers, "surge_seconds": surge_s, "stored": stored, "jobs": jobs,
               "drain_s": round(took, 1) if took else None, "jobs_per_s": round(rate, 2),
               "predicted_drain_s_for_60s_surge": round(minute / rate, 1) if took else None,
               "cpu_cores": cpu["cores"], "problems": problems,
               "load_after": [round(v, 2) for v in os.getloadavg()]}
        summary["drains"].append(row)
        print(f"    drain, {workers} job worker(s): {jobs} jobs ({stored} receipts + e-mails "
              f"of a {surge_s:.0f} s surge) in "
              + (f"{took:.1f} s = {rate:.2f} jobs/s" if took else f"more than {drain_timeout} s")
              + (f"; a 60 s surge at this rate ({minute:.0f} jobs) would drain in "
                 f"{minute / rate:.0f} s" if took else "")
              + f"; cores {cpu['cores']}; load {row['load_after']}; e-mails sent once: "
              + ("OK" if not problems else f"PROBLEMS {problems[:3]}"), flush=True)
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--setup-child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--smoke", action="store_true",
                        help="a few seconds per mode at 4 applicants; checks, not speed")
    parser.add_argument("--seconds", type=float, default=20.0,
                        help="length of each phase (floor, real) and of each mode run")
    parser.add_argument("--concurrency", default="50",
                        help="applicants of the floor/real pair (and of the normal mode runs)")
    parser.add_argument("--no-pair", action="store_true",
                        help="skip the floor/real pair (only the --modes runs)")
    parser.add_argument("--modes", default="",
                        help="also these exactly-once runs, job workers running niced: "
                             "normal,upload,impatient,kill")
    parser.add_argument("--mode-concurrency", type=int, default=50,
                        help="applicants in the upload, impatient and kill runs")
    parser.add_argument("--drain", default="",
                        help="worker counts, e.g. 1,2: after the pair, the time N job workers "
                             "take to empty the queue a surge left (a new surge per count "
                             "after the first)")
    parser.add_argument("--drain-seconds", type=float, default=None,
                        help="length of the surges before the second and later drains "
                             "(default --seconds)")
    parser.add_argument("--drain-timeout", type=float, default=900.0)
    parser.add_argument("--max-rate", type=float, default=100.0,
                        help="drafts are made for at most this many submissions per second")
    parser.add_argument("--web-workers", type=int, default=None,
                        help="gunicorn workers (default: KCITY_WEB_WORKERS, 3)")
    parser.add_argument("--web-threads", type=int, default=None,
                        help="threads per gunicorn worker (default: KCITY_WEB_THREADS, 4)")
    parser.add_argument("--job-workers", type=int, default=2,
                        help="job workers (niced) during the --modes runs")
    parser.add_argument("--no-cache", action="store_true",
                        help="sessions in the database alone, even when Redis answers")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.setup_child:
        setup_child(int(args.setup_child[0]), int(args.setup_child[1]), args.setup_child[2])
        return 0

    import psycopg

    plan = []
    modes = [m for m in args.modes.split(",") if m]
    drains = [int(n) for n in args.drain.split(",") if n]
    pairs = [] if args.no_pair else [int(c) for c in args.concurrency.split(",")]
    if args.smoke:
        args.seconds = 4.0
        pairs, drains = [], []
        plan = [(m, 4) for m in ("normal", "upload", "impatient", "kill")]
    else:
        if "normal" in modes:
            plan += [("normal", int(c)) for c in args.concurrency.split(",")]
        plan += [(m, args.mode_concurrency) for m in modes if m != "normal"]
    for mode, _n in plan:
        if mode not in {"normal", "upload", "impatient", "kill"}:
            raise SystemExit(f"unknown mode {mode}")
    if drains and not pairs:
        raise SystemExit("--drain follows the floor/real pair: drop --no-pair")

    dbname = f"kcity_surge_{os.getpid()}"
    admin = psycopg.connect(dbname="postgres", autocommit=True, **PG)
    admin.execute(f'CREATE DATABASE "{dbname}"')
    tmp = Path(tempfile.mkdtemp(prefix="kcity-surge-"))
    env = dict(os.environ, **production_env(dbname, tmp, HOST,
                                            shared_cache=False if args.no_cache else None))
    print("sessions: " + (f"database, read through Redis ({env['KCITY_CACHE_URL']})"
                          if env.get("KCITY_CACHE_URL") else "database"), flush=True)
    if args.web_workers:
        env["KCITY_WEB_WORKERS"] = str(args.web_workers)
    if args.web_threads:
        env["KCITY_WEB_THREADS"] = str(args.web_threads)
    # The server runs the portal's production settings with the floor's page beside the
    # portal's URLs and a statement counter (benchmarks/floor_site/floor_settings.py), in
    # every run, so the floor and the real cycle are served by the same processes.
    server_env = dict(env, DJANGO_SETTINGS_MODULE="floor_settings",
                      PYTHONPATH=os.pathsep.join([str(ROOT / "benchmarks" / "floor_site"),
                                                  env["PYTHONPATH"]]))
    stack = None
    conn = None
    reports, pair_reports = [], []
    try:
        subprocess.run([PYTHON, "-m", "kcity.cli", "migrate", "-v", "0"], env=env, check=True)
        print(f"database {dbname}; logs in {tmp}; load average {os.getloadavg()}", flush=True)
        stack = Stack(server_env, args.port, int(env.get("KCITY_WEB_WORKERS", "3")), 0,
                      tmp, web_threads=int(env.get("KCITY_WEB_THREADS", "4")))
        print(f"gunicorn: {stack.web_workers} workers x {stack.web_threads} threads", flush=True)
        stack.start()
        conn = psycopg.connect(dbname=dbname, autocommit=True, **PG)
        for n in pairs:
            per = max(4, math.ceil(args.max_rate * args.seconds / n))
            print(f"floor and real submit cycle, {n} applicants, {args.seconds:.0f} s each, "
                  "no job worker running (the queue fills)", flush=True)
            pair_reports.append(ratio_runs(
                stack, conn, env, n, args.seconds, per, drains,
                args.drain_seconds or args.seconds, args.drain_timeout))
        if plan:
            # Niced: the queue absorbs the surge and drains afterwards. Not in the smoke run,
            # which checks that every e-mail goes out once, not speed, on a machine that may
            # be busy with other work.
            nice = 0 if args.smoke else 10
            stack.start_jobs(args.job_workers, nice=nice)
            print(f"{args.job_workers} job workers (nice {nice}) for the exactly-once runs",
                  flush=True)
        for mode, n in plan:
            per = max(4, math.ceil(args.max_rate * args.seconds / n))
            if args.smoke:
                per = 40
            # The smoke run kills sooner, to kill at least twice in its few seconds.
            reports.append(drive(stack, conn, env, mode, n, args.seconds, per,
                                 drain_s=120 if args.smoke else 0,
                                 kill_every=(1.0, 1.5) if args.smoke else (5.0, 7.0)))
    finally:
        if stack:
            stack.stop()
        if conn:
            conn.close()
        admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        admin.close()
        drop_cache_keys(env)
    if args.json:
        args.json.write_text(json.dumps({"pairs": pair_reports, "runs": reports}, indent=2))
    failed = [r for r in reports + pair_reports if r["problems"]]
    failed += [d for r in pair_reports for d in r["drains"] if d["problems"]]
    stored = sum(r["answers"].get("stored", 0) + r["answers"].get("stored (sent twice)", 0)
                 for r in reports)
    if args.smoke and (stored == 0 or not any(r["kills"] for r in reports)):
        print("smoke: no submission was stored, or nothing was killed", flush=True)
        return 1
    print("exactly-once: " + ("OK in every run" if not failed else
                              f"FAILED in {len(failed)} run(s)"), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

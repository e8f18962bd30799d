"""Schemathesis fuzzes the API's OpenAPI document against a running portal with the demo data.

A live server (Django's, in a thread: the whole stack of middleware, the CSP included) serves
the demo; `st run` (schemathesis 4, in a separate process) reads `/api/v1/openapi.json` and
sends each operation generated requests, valid and invalid (its coverage and fuzzing phases,
a bounded number of cases per operation and a fixed seed, so the run takes well under a
minute), as a logged-in applicant. It fails on any finding of these checks: no server error,
every status code documented, every body of the documented content type and schema, and an
operation that needs a log-in refuses the request without it.
"""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

from kcity.accounts.models import User
from kcity.site.demo import load_demo

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ST = [sys.executable, "-m", "schemathesis.cli"]  # `st`, from this interpreter's packages
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_schema_conformance,ignored_auth")


def test_no_finding(live_server, tmp_path):
    load_demo()
    client = Client()
    client.force_login(User.objects.get(username="company-applicant"))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value

    report = tmp_path / "report.json"
    run = subprocess.run(
        [*ST, "run", f"{live_server.url}/api/v1/openapi.json",
         "--checks", CHECKS, "--phases", "examples,coverage,fuzzing",
         "--max-examples", "25", "--seed", "20261206", "--workers", "1",
         "--request-timeout", "20", "--no-color",
         "--header", f"Cookie: {settings.SESSION_COOKIE_NAME}={session}",
         "--report", "json", "--report-json-path", str(report)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
    )
    output = (run.stdout + run.stderr)[-8000:]
    assert run.returncode == 0, output
    summary = json.loads(report.read_text())
    assert summary["failures"] == [] and summary["errors"] == [], output
    # Every operation of the document was exercised (a filter or a broken document would
    # make a green run of nothing), with real cases, its examples included.
    operations = sum(len(methods) for methods in client.get("/api/v1/openapi.json")
                     .json()["paths"].values())
    assert operations >= 9
    assert summary["operations"] == {"total": operations, "selected": operations,
                                     "tested": operations, "errored": 0, "skipped": 0,
                                     "skip_reasons": []}, output
    assert summary["test_cases"]["generated"] >= 20 * operations, output
    assert summary["phases"]["examples"]["status"] == "success", output

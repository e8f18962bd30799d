"""Who reaches what, proven exhaustively: every URL pattern of the project, every role.

`ROWS` is the access matrix. Each row names one URL pattern (its `namespace:name`), the
objects its URL is filled with (`kwargs`, from the world of tests/security/access_world.py:
real objects made by the demo's services, so "the applicant's own proposal" and "another
organisation's proposal" are real rows), the method, the data posted, and the expected
answer of each of the ten roles (`access_world.ROLES`). `test_every_url_pattern_has_a_row`
walks `django.urls.get_resolver()` and fails on a pattern without a row; a row naming a
pattern that no longer exists fails too.

The answers:

- `"200"`, `"201"`, `"204"`, `"302"` (a redirect, not to a log-in page), `"400"`: that
  status;
- `"login"`: a redirect to a log-in page (the portal's or the administration's);
- `"404"` (a stranger to the object, or a page that does not exist for the role), `"401"` (an
  API asking for credentials), `"403"`, `"405"`: that status;
- `"refused"` (POST): the role gets through the door (it may see the object) but the service
  refuses: any 2xx/3xx/400/409 that is not a log-in redirect;
- `"reach"` (POST): the role is allowed; the answer is whatever the service says about the
  data (not a 404/403/405/log-in, not a 5xx), and it may write;
- `"done"`: the role is allowed and the change is made (something is written; on a GET,
  a page that prepares something, as the two-step enrolment makes an unconfirmed device).

A page that lists objects (a role's proposals, projects, a panel's scores) also names, in
`hidden`, the titles of objects that the roles in `hidden_from` must not find in it.

Every answer but `"reach"` and `"done"` must write nothing: each request runs in a
transaction that is rolled back afterwards, and the SQL it sent is checked for INSERT, UPDATE
and DELETE (the session table aside). So a forbidden POST is proven to change nothing, and
the world stays the same for every request.

To add a row (a new URL pattern): append `Row("namespace:name", ...)` to `ROWS` with
`kwargs=lambda w: {...}` built from the world's objects (add an object to
`access_world.build_world` if none fits: made through a service, never by hand), the method
(`"POST"` for a POST-only view, with `data=lambda w: {...}` when the forbidden roles should
be refused with data that would work for an allowed role), and `expect=E(default, role=...)`
listing every role's answer (`E` fills the roles you do not name with the default;
`logged_in(...)` also sets `anonymous="login"`). A pattern whose answer depends on the object
gets one row per object (`case=` says which: "own proposal", "another track", ...). A public
page is `E("200")`. Run `pytest tests/security/test_access_matrix.py`: a mismatch lists every
role whose answer differs, with the URL.

The administration (`/admin/`, Django's admin site) is one entry group rather than a row per
model: `test_admin_site` checks that only MOLIT's secretariat staff (role secretariat and
`is_staff`) reach its index and a model's list, while everybody else, an applicant who is
`is_staff` included, is sent to the administration's log-in; every pattern in the `admin`
namespace counts as covered by that test. `test_admin_lists_only_the_officers_tracks` goes
inside: a KIND or KAIA officer made staff finds in the administration's lists only the records
of its unit's tracks (`permissions.managed_tracks`), and no selection records (MOLIT runs the
selection), as on the portal's pages; add a model there when its records belong to a track.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlparse

import pytest
from access_world import ROLES, build_world
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone, translation
from django.utils.html import escape

from kcity.applications.demo import DEMO_PDF
from kcity.projects import procurement
from kcity.site.demo import secretariat_group

ANSWERS = {"200", "201", "204", "302", "400", "401", "login", "403", "404", "405", "refused",
           "reach", "done"}
WRITES = ("insert", "update", "delete")
# Logging in and out writes the session; a confidential download writes its audit entry.
# A public PDF rendered once is kept (core_renderedfile): a cache, not a change.
IGNORED_TABLES = ("django_session", "core_auditentry", "core_renderedfile")


def E(default: str, **answers: str) -> dict[str, str]:
    """Every role's answer: `default` for the roles not named."""
    unknown = set(answers) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    expect = {role: answers.get(role, default) for role in ROLES}
    assert set(expect.values()) <= ANSWERS, expect
    return expect


def logged_in(default: str, **answers: str) -> dict[str, str]:
    """A page behind the log-in: anonymous visitors are sent to it."""
    return E(default, **{"anonymous": "login", **answers})


@dataclass
class Row:
    name: str  # the URL pattern, "namespace:name"
    expect: dict[str, str]
    kwargs: Callable = lambda w: {}
    method: str = "GET"
    data: Callable = lambda w: {}
    case: str = ""
    # Lists and exports: texts (an object's title) that must not appear in the answer of the
    # roles in `hidden_from`, who get the page but are strangers to the object.
    hidden: Callable = lambda w: []
    hidden_from: tuple = ()

    @property
    def id(self) -> str:
        return f"{self.method} {self.name}" + (f" [{self.case}]" if self.case else "")


def pdf(name="matrix.pdf"):
    return SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")


def _terms_form(tender) -> dict:
    """The tender's terms as its edit form posts them."""
    values = {}
    for name in procurement.TENDER_FIELDS:
        value = getattr(tender, name)
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value)
            values[f"{name}_0"], values[f"{name}_1"] = value.date().isoformat(), \
                value.strftime("%H:%M")
            values[name] = value.strftime("%Y-%m-%d %H:%M")
        elif isinstance(value, bool):
            if value:
                values[name] = "on"
        else:
            values[name] = "" if value is None else str(value)
    return values


# Who sees the objects: the answers repeated across many rows.
PROPOSAL_VIEWERS = {"applicant": "200", "partner": "200", "evaluator": "200", "kaia": "200",
                    "molit": "200"}
PROPOSAL_ACTORS = dict.fromkeys(PROPOSAL_VIEWERS, "refused")  # it is evaluated: locked
PLANNING_VIEWERS = {"other_applicant": "200", "kind": "200", "molit": "200"}
PROJECT_VIEWERS = {"contractor": "200", "kind": "200", "molit": "200"}
PROJECT_MANAGERS = {"kind": "done", "molit": "done"}
PROJECT_MANAGED = {"kind": "reach", "molit": "reach"}  # the project's state decides
HOST_PROJECT_VIEWERS = {"applicant": "200", "partner": "200", "kaia": "200", "molit": "200"}
SECRETARIAT = {"kind": "200", "kaia": "200", "molit": "200"}
TENDER_MANAGERS = {"kaia": "200", "molit": "200"}
TENDER_ACTORS = {"kaia": "refused", "molit": "refused"}  # it is awarded: nothing moves
TOMORROW = (timezone.localdate() + dt.timedelta(days=1)).isoformat()

ROWS = [
    # ---- the site -----------------------------------------------------------------------
    Row("healthz", E("200")),
    Row("root", E("200")),
    Row("set_language", E("302"), method="POST", data=lambda w: {"language": "ko", "next": "/"}),
    Row("opendata:home", E("200")),
    # ---- the public portfolio, statistics, reports, open data and the API -----------------
    Row("opendata:portfolio", E("200")),
    Row("opendata:portfolio_years", E("200")),
    Row("opendata:portfolio_map", E("200")),
    Row("opendata:portfolio_project", E("200"), kwargs=lambda w: {"pk": w.project.record_id},
        case="a platform project"),
    Row("opendata:portfolio_project", E("404"), kwargs=lambda w: {"pk": 10**9},
        case="no such project"),
    Row("opendata:statistics", E("200")),
    Row("opendata:reports", E("404", **SECRETARIAT)),
    Row("opendata:report_generate", E("404", kind="405", kaia="405", molit="405"),
        case="GET"),
    Row("opendata:report_generate", E("404", kind="done", kaia="done", molit="done"),
        method="POST", data=lambda w: {"year": "2026", "language": "ko"}),
    Row("opendata:report_download", E("200"), kwargs=lambda w: {"pk": w.public_report.pk},
        case="public report"),
    Row("opendata:report_download", E("404", **SECRETARIAT),
        kwargs=lambda w: {"pk": w.confidential_report.pk}, case="confidential report"),
    Row("exports:index", E("200")),
    Row("exports:projects_csv", E("200")),
    Row("exports:projects_xlsx", E("200")),
    Row("exports:iati", E("200")),
    Row("exports:ocds", E("200")),
    Row("exports:proposals_csv", logged_in("200"), hidden=lambda w: [w.proposal.title],
        hidden_from=("other_applicant", "conflicted", "contractor", "kind")),
    Row("exports:proposals_xlsx", logged_in("200")),
    Row("audit:list", logged_in("404", **SECRETARIAT)),
    Row("audit:export", logged_in("404", **SECRETARIAT)),
    Row("api:api-root", E("404")),
    Row("api_unknown", E("404"), kwargs=lambda w: {"rest": "no/such/thing"}),
    Row("api:openapi-json", E("200")),
    Row("api:openapi-view", E("200")),
    Row("api:list_projects", E("200")),
    Row("api:get_project", E("200"), kwargs=lambda w: {"id": w.project.record_id}),
    Row("api:list_calls", E("200")),
    Row("api:get_call", E("200"), kwargs=lambda w: {"year": w.open_year}, case="open call"),
    Row("api:get_call", E("404"), kwargs=lambda w: {"year": w.draft_year}, case="draft cycle"),
    Row("api:list_results", E("200")),
    Row("api:get_results", E("200"), kwargs=lambda w: {"year": w.results_year}),
    Row("api:statistics", E("200")),
    Row("api:list_proposals", E("200", anonymous="401"), hidden=lambda w: [w.proposal.title],
        hidden_from=("other_applicant", "conflicted", "contractor", "kind")),
    Row("api:get_proposal", E("404", anonymous="401", **PROPOSAL_VIEWERS),
        kwargs=lambda w: {"id": w.proposal.pk}),
    Row("programs:call_list", E("200"),
        hidden=lambda w: [_url("programs:call_detail", {"year": w.draft_year})],
        hidden_from=("anonymous", "applicant", "other_applicant", "partner", "evaluator",
                     "conflicted", "contractor")),
    Row("programs:call_detail", E("200"), kwargs=lambda w: {"year": w.open_year},
        case="open call"),
    Row("programs:call_detail", E("404", **SECRETARIAT), kwargs=lambda w: {"year": w.draft_year},
        case="draft cycle"),
    # ---- accounts -----------------------------------------------------------------------
    Row("accounts:login", E("200")),
    Row("accounts:logout", E("done", anonymous="302"), method="POST"),  # axes logs it
    Row("accounts:two_factor", logged_in("302")),
    Row("accounts:two_factor_enrol", logged_in("done")),  # an unconfirmed device to confirm
    Row("accounts:password_change", logged_in("200")),
    Row("accounts:password_change_done", logged_in("200")),
    Row("accounts:register", E("302", anonymous="200")),
    Row("accounts:register_kind", E("302", anonymous="200"), kwargs=lambda w: {"kind": "company"}),
    Row("accounts:profile", logged_in("200")),
    Row("accounts:pending_organisations", logged_in("404", **SECRETARIAT)),
    Row("accounts:verify_organisation", logged_in("404", kind="done", kaia="done", molit="done"),
        method="POST", kwargs=lambda w: {"pk": w.pending_org.pk}),
    Row("accounts:password_reset", E("200")),
    Row("accounts:password_reset_done", E("200")),
    Row("accounts:password_reset_confirm", E("200"),
        kwargs=lambda w: {"uidb64": "MQ", "token": "no-such-token"}, case="a stale link"),
    Row("accounts:password_reset_complete", E("200")),
    # ---- proposals (the applicant's own; another organisation's applicant is a stranger) --
    Row("applications:list", logged_in("200"), hidden=lambda w: [w.proposal.title],
        hidden_from=("other_applicant", "conflicted", "contractor", "kind")),
    Row("applications:new", logged_in("200")),
    Row("applications:detail", logged_in("404", **PROPOSAL_VIEWERS),
        kwargs=lambda w: {"pk": w.proposal.pk}),
    Row("applications:detail", logged_in("404", **PLANNING_VIEWERS),
        kwargs=lambda w: {"pk": w.planning.pk}, case="planning track"),
    # A pending invitation's link is the capability to join: only the lead applicant sees it.
    Row("applications:detail", logged_in("404", applicant="200", kaia="200", molit="200"),
        kwargs=lambda w: {"pk": w.invitation.proposal_id}, case="pending invitation",
        hidden=lambda w: [w.invitation.token], hidden_from=("kaia", "molit")),
    Row("applications:edit", logged_in("404", applicant="200"),
        kwargs=lambda w: {"pk": w.proposal.pk}),
    Row("applications:edit", logged_in("404", applicant="refused"), method="POST",
        kwargs=lambda w: {"pk": w.proposal.pk},
        data=lambda w: {"title": "Changed by the matrix", "city": "Semarang"}),
    Row("applications:autosave", logged_in("404", applicant="refused"), method="POST",
        kwargs=lambda w: {"pk": w.proposal.pk},
        data=lambda w: {"title": "Changed by the matrix", "city": "Semarang"}),
    Row("applications:invite", logged_in("404", **PROPOSAL_ACTORS), method="POST",
        kwargs=lambda w: {"pk": w.proposal.pk},
        data=lambda w: {"name": "Matrix Univ.", "email": "matrix@example.org",
                        "role": "site_host"}),
    Row("applications:member_remove", logged_in("404", **PROPOSAL_ACTORS), method="POST",
        kwargs=lambda w: {"pk": w.proposal.pk, "member_pk": w.member.pk}),
    Row("applications:documents", logged_in("404", **dict.fromkeys(PROPOSAL_VIEWERS, "302")),
        kwargs=lambda w: {"pk": w.proposal.pk}),
    Row("applications:documents", logged_in("404", **PROPOSAL_ACTORS), method="POST",
        kwargs=lambda w: {"pk": w.proposal.pk},
        data=lambda w: {"code": w.document.code, "file": pdf()}),
    Row("applications:document", logged_in("404", **PROPOSAL_VIEWERS),
        kwargs=lambda w: {"pk": w.proposal.pk, "doc_pk": w.document.pk}),
    Row("applications:concept_note", logged_in("404", **PROPOSAL_ACTORS), method="POST",
        kwargs=lambda w: {"pk": w.proposal.pk},
        data=lambda w: {"concept_note": "A concept note from the matrix."}),
    Row("applications:submit", logged_in("404", **PROPOSAL_VIEWERS),
        kwargs=lambda w: {"pk": w.proposal.pk}),
    Row("applications:submit", logged_in("404", **PROPOSAL_ACTORS), method="POST",
        kwargs=lambda w: {"pk": w.proposal.pk}, data=lambda w: {"key": "matrix-key-1"}),
    Row("applications:reopen", logged_in("404", **PROPOSAL_ACTORS), method="POST",
        kwargs=lambda w: {"pk": w.proposal.pk}),
    Row("applications:withdraw", logged_in("404", **PROPOSAL_VIEWERS),
        kwargs=lambda w: {"pk": w.proposal.pk}),
    Row("applications:withdraw", logged_in("404", **PROPOSAL_ACTORS), method="POST",
        kwargs=lambda w: {"pk": w.proposal.pk}, data=lambda w: {"reason": "The matrix."}),
    Row("applications:receipt", logged_in("404", **PROPOSAL_VIEWERS),
        kwargs=lambda w: {"pk": w.proposal.pk, "submission_pk": w.submission.pk}),
    Row("applications:receipt_pdf", logged_in("404", **PROPOSAL_VIEWERS),
        kwargs=lambda w: {"pk": w.proposal.pk, "submission_pk": w.submission.pk}),
    # The e-mailed link is the capability: any logged-in account opens it, only the invited
    # mailbox answers it.
    Row("applications:invitation", logged_in("200"),
        kwargs=lambda w: {"token": w.invitation.token}),
    Row("applications:invitation", logged_in("refused", partner="done"), method="POST",
        kwargs=lambda w: {"token": w.invitation.token}, data=lambda w: {"answer": "confirm"}),
    Row("applications:screening", logged_in("404", **SECRETARIAT),
        hidden=lambda w: [w.proposal.title], hidden_from=("kind",)),
    Row("applications:screening_detail", logged_in("404", kaia="200", molit="200"),
        kwargs=lambda w: {"pk": w.proposal.pk}),
    Row("applications:screening_detail", logged_in("404", kind="200", molit="200"),
        kwargs=lambda w: {"pk": w.planning.pk}, case="planning track"),
    Row("applications:screening_detail", logged_in("404", kaia="refused", molit="refused"),
        method="POST", kwargs=lambda w: {"pk": w.proposal.pk},
        data=lambda w: {"action": "decision", "decision": "ineligible", "reason": "Matrix."}),
    # ---- evaluation -----------------------------------------------------------------------
    Row("evaluation:index", logged_in("200", kind="302", kaia="302", molit="302"),
        hidden=lambda w: [w.proposal.title],
        hidden_from=("other_applicant", "conflicted", "contractor", "kind")),
    Row("evaluation:declare", logged_in("404", evaluator="refused"), method="POST",
        kwargs=lambda w: {"pk": w.proposal.pk}, data=lambda w: {"answer": "no_conflict"}),
    Row("evaluation:panels", logged_in("404", **SECRETARIAT)),
    Row("evaluation:panel", logged_in("404", kaia="200", molit="200"),
        kwargs=lambda w: {"pk": w.panel.pk}),
    Row("evaluation:panel", logged_in("404", kaia="refused", molit="refused"), method="POST",
        kwargs=lambda w: {"pk": w.panel.pk}, data=lambda w: {"action": "close"}),
    Row("evaluation:export", logged_in("404", evaluator="200", conflicted="200", kaia="200",
                                       molit="200"),
        kwargs=lambda w: {"pk": w.panel.pk},
        hidden=lambda w: [w.proposal.title], hidden_from=("conflicted",)),
    Row("evaluation:sheet", logged_in("404", evaluator="200"),
        kwargs=lambda w: {"panel_pk": w.panel.pk, "pk": w.proposal.pk}),
    # The conflicted evaluator's sheet of another proposal of the closed panel: its table of
    # the panel's scores leaves out the proposal they are conflicted with.
    Row("evaluation:sheet", logged_in("404", evaluator="200", conflicted="200"),
        kwargs=lambda w: {"panel_pk": w.panel.pk, "pk": w.neighbour.pk}, case="neighbour",
        hidden=lambda w: [w.proposal.title], hidden_from=("conflicted",)),
    Row("evaluation:sheet", logged_in("404", evaluator="refused"), method="POST",
        kwargs=lambda w: {"panel_pk": w.panel.pk, "pk": w.proposal.pk},
        data=lambda w: {"action": "submit"}),
    Row("evaluation:summary", logged_in("404", applicant="200", evaluator="200", kaia="200",
                                        molit="200"),
        kwargs=lambda w: {"panel_pk": w.panel.pk, "pk": w.proposal.pk}),
    Row("evaluation:summary_pdf", logged_in("404", applicant="200", evaluator="200",
                                            kaia="200", molit="200"),
        kwargs=lambda w: {"panel_pk": w.panel.pk, "pk": w.proposal.pk}),
    Row("evaluation:followed", logged_in("200"), hidden=lambda w: [w.proposal.title],
        hidden_from=("other_applicant", "conflicted", "contractor", "kind")),
    Row("evaluation:proposal", logged_in("404", **PROPOSAL_VIEWERS),
        kwargs=lambda w: {"pk": w.proposal.pk}),
    # The consultation's minutes are for the secretariat and the panel, not the applicant.
    Row("evaluation:proposal", logged_in("404", **PLANNING_VIEWERS),
        kwargs=lambda w: {"pk": w.planning.pk}, case="planning track",
        hidden=lambda w: [w.planning.consultations.get(round=1).minutes[:40]],
        hidden_from=("other_applicant",)),
    Row("evaluation:schedule", logged_in("404", other_applicant="refused", kind="reach",
                                         molit="reach"), method="POST",
        kwargs=lambda w: {"pk": w.planning.pk},
        data=lambda w: {"round": 3, "date": TOMORROW, "time": "10:00", "agenda": "Matrix",
                        "participants": "Matrix"}),
    Row("evaluation:minutes", logged_in("404", other_applicant="refused", kind="reach",
                                        molit="reach"), method="POST",
        kwargs=lambda w: {"pk": w.planning.pk},
        data=lambda w: {"round": 2, "minutes": "Matrix minutes.", "questions": "None."}),
    Row("evaluation:revised", logged_in("404", other_applicant="done", kind="refused",
                                        molit="refused"), method="POST",
        kwargs=lambda w: {"pk": w.planning.pk}, data=lambda w: {"file": pdf()}),
    Row("evaluation:book", logged_in("404", **{**PROPOSAL_ACTORS, "kaia": "reach",
                                               "molit": "reach"}), method="POST",
        kwargs=lambda w: {"pk": w.proposal.pk},
        data=lambda w: {"panel": w.panel.pk, "date": TOMORROW, "time": "10:00",
                        "minutes": 30, "presenters": "Matrix"}),
    # ---- projects (the contractor's project of a planning track; the applicant's own) -----
    Row("projects:list", logged_in("200"), hidden=lambda w: [w.project.proposal.title],
        hidden_from=("applicant", "other_applicant", "partner", "evaluator", "conflicted", "kaia")),
    Row("projects:detail", logged_in("404", **PROJECT_VIEWERS),
        kwargs=lambda w: {"pk": w.project.pk}),
    Row("projects:detail", logged_in("404", **HOST_PROJECT_VIEWERS),
        kwargs=lambda w: {"pk": w.host_project.pk}, case="the applicant hosts it"),
    Row("projects:move", logged_in("404", contractor="refused", **PROJECT_MANAGERS),
        method="POST", kwargs=lambda w: {"pk": w.project.pk},
        data=lambda w: {"to": "completed", "rating": "good"}),
    Row("projects:extend", logged_in("404", contractor="refused", **PROJECT_MANAGERS),
        method="POST", kwargs=lambda w: {"pk": w.project.pk},
        data=lambda w: {"planned_end": "2035-12-31", "reason": "Matrix."}),
    Row("projects:add_party", logged_in("404", contractor="refused", **PROJECT_MANAGED),
        method="POST", kwargs=lambda w: {"pk": w.project.pk},
        data=lambda w: {"role": "consultant", "name": "Matrix party"}),
    Row("projects:sign_party", logged_in("404", contractor="refused", **PROJECT_MANAGED),
        method="POST", kwargs=lambda w: {"pk": w.project.pk, "party_pk": w.party.pk},
        data=lambda w: {"signed_on": "2027-01-05", "document": pdf()}),
    Row("projects:record_training", logged_in("404", contractor="refused", **PROJECT_MANAGERS),
        method="POST", kwargs=lambda w: {"pk": w.project.pk},
        data=lambda w: {"kind": "training", "title": "Matrix", "starts_on": "2027-02-01",
                        "ends_on": "2027-02-02", "participants": "3", "place": "Sejong"}),
    Row("projects:record_follow_on", logged_in("404", contractor="refused", **PROJECT_MANAGERS),
        method="POST", kwargs=lambda w: {"pk": w.project.pk},
        data=lambda w: {"kind": "ppp", "on": "2027-02-01", "partners": "Matrix"}),
    Row("projects:framework_document", logged_in("404", **PROJECT_VIEWERS),
        kwargs=lambda w: {"pk": w.project.pk, "party_pk": w.party.pk}),
    # ---- delivery -------------------------------------------------------------------------
    Row("delivery:overview", logged_in("200"), hidden=lambda w: [w.project.proposal.title],
        hidden_from=("applicant", "other_applicant", "partner", "evaluator", "conflicted", "kaia")),
    Row("delivery:project", logged_in("404", **PROJECT_VIEWERS),
        kwargs=lambda w: {"pk": w.project.pk}),
    Row("delivery:add_milestone", logged_in("404", **PROJECT_MANAGERS), method="POST",
        kwargs=lambda w: {"pk": w.project.pk},
        data=lambda w: {"title_en": "Matrix", "title_ko": "매트릭스", "due_on": "2027-06-30"}),
    Row("delivery:add_deliverable", logged_in("404", **PROJECT_MANAGERS), method="POST",
        kwargs=lambda w: {"pk": w.project.pk},
        data=lambda w: {"kind": w.project.deliverable_type, "title_en": "Matrix",
                        "title_ko": "매트릭스", "due_on": "2027-06-30"}),
    Row("delivery:record_payment", logged_in("404", **PROJECT_MANAGED), method="POST",
        kwargs=lambda w: {"pk": w.project.pk},
        data=lambda w: {"deliverable": w.deliverable.pk, "amount": "1000",
                        "paid_on": "2027-06-30"}),
    Row("delivery:submit", logged_in("404", contractor="done"), method="POST",
        kwargs=lambda w: {"pk": w.deliverable.pk}, data=lambda w: {"file": pdf()}),
    Row("delivery:review", logged_in("404", **PROJECT_MANAGED), method="POST",
        kwargs=lambda w: {"pk": w.deliverable.pk},
        data=lambda w: {"decision": "accepted", "comment": "Matrix."}),
    Row("delivery:download", logged_in("404", **PROJECT_VIEWERS),
        kwargs=lambda w: {"pk": w.delivered.pk}),
    # ---- procurement (public notices; sealed bids) ------------------------------------------
    Row("procurement:list", E("200"),
        hidden=lambda w: [_url("procurement:detail", {"pk": w.draft_tender.pk})],
        hidden_from=("anonymous", "applicant", "other_applicant", "partner", "evaluator",
                     "conflicted", "contractor", "kind")),
    Row("procurement:detail", E("200"), kwargs=lambda w: {"pk": w.tender.pk}),
    Row("procurement:detail", E("404", **TENDER_MANAGERS),
        kwargs=lambda w: {"pk": w.draft_tender.pk}, case="draft"),
    Row("procurement:ocds", E("200"), kwargs=lambda w: {"pk": w.tender.pk}),
    Row("procurement:ocds", E("404"), kwargs=lambda w: {"pk": w.draft_tender.pk},
        case="draft"),
    Row("procurement:register", logged_in("refused", applicant="done", contractor="done"),
        method="POST", kwargs=lambda w: {"pk": w.open_tender.pk},
        data=lambda w: {"attendees": 2}),
    Row("procurement:bid", logged_in("404", applicant="200", contractor="200"),
        kwargs=lambda w: {"pk": w.open_tender.pk}),
    Row("procurement:manage", logged_in("404", evaluator="200", **TENDER_MANAGERS),
        kwargs=lambda w: {"pk": w.tender.pk}),
    Row("procurement:manage", logged_in("404", **TENDER_MANAGERS),
        kwargs=lambda w: {"pk": w.draft_tender.pk}, case="draft"),
    Row("procurement:edit", logged_in("404", **TENDER_MANAGERS),
        kwargs=lambda w: {"pk": w.tender.pk}),
    Row("procurement:edit", logged_in("404", kaia="done", molit="done"), method="POST",
        kwargs=lambda w: {"pk": w.draft_tender.pk}, case="draft",
        data=lambda w: {**_terms_form(w.draft_tender), "scope_en": "Changed by the matrix"}),
    Row("procurement:move", logged_in("404", kaia="done", molit="done"), method="POST",
        kwargs=lambda w: {"pk": w.draft_tender.pk, "to": "published"}, case="draft"),
    Row("procurement:move", logged_in("404", **TENDER_ACTORS), method="POST",
        kwargs=lambda w: {"pk": w.tender.pk, "to": "published"}),
    Row("procurement:committee", logged_in("404", **TENDER_ACTORS), method="POST",
        kwargs=lambda w: {"pk": w.tender.pk}, data=lambda w: {"size": 3, "seed": 1}),
    Row("procurement:score", logged_in("404", applicant="refused", evaluator="refused",
                                       **TENDER_ACTORS), method="POST",
        kwargs=lambda w: {"pk": w.tender.pk, "bid_pk": w.bid.pk}, data=lambda w: {"points": 99}),
    Row("procurement:award", logged_in("404", **TENDER_ACTORS), method="POST",
        kwargs=lambda w: {"pk": w.tender.pk},
        data=lambda w: {"value": 1000, "signed_on": "2027-01-05", "start": "2027-01-06",
                        "end": "2027-12-31", "contract": pdf()}),
    Row("procurement:bid_document", logged_in("404", applicant="200", evaluator="200",
                                              **TENDER_MANAGERS),
        kwargs=lambda w: {"pk": w.tender.pk, "bid_pk": w.bid.pk}),
    # Sealed until the deadline: only the bidder opens its bid, not even the secretariat.
    Row("procurement:bid_document", logged_in("404", contractor="200"),
        kwargs=lambda w: {"pk": w.open_tender.pk, "bid_pk": w.sealed_bid.pk}, case="sealed"),
    Row("procurement:score", logged_in("404", contractor="refused"), method="POST",
        kwargs=lambda w: {"pk": w.open_tender.pk, "bid_pk": w.sealed_bid.pk},
        data=lambda w: {"points": 99}, case="sealed"),
    Row("procurement:draft", logged_in("404", **TENDER_MANAGERS),
        kwargs=lambda w: {"project_pk": w.waiting_project.pk}),
    # ---- selection (MOLIT runs it: a round spans the tracks of KIND and KAIA) -------------
    Row("selection:index", logged_in("404", molit="200")),
    Row("selection:import", logged_in("404", molit="reach"), method="POST"),
    Row("selection:round", logged_in("404", molit="200"), kwargs=lambda w: {"pk": w.round.pk}),
    Row("selection:compare", logged_in("404", molit="200"), kwargs=lambda w: {"pk": w.round.pk},
        data=lambda w: {"a": w.scenario.pk, "b": w.draft_scenario.pk}),
    Row("selection:publish", logged_in("404", molit="refused"), method="POST",
        kwargs=lambda w: {"pk": w.round.pk}),
    Row("selection:replacement", logged_in("404", molit="reach"), method="POST",
        kwargs=lambda w: {"pk": w.round.pk}),
    Row("selection:export_round", logged_in("404", molit="200"),
        kwargs=lambda w: {"pk": w.round.pk}),
    Row("selection:scenario", logged_in("404", molit="200"),
        kwargs=lambda w: {"pk": w.draft_scenario.pk}),
    Row("selection:approve", logged_in("404", molit="reach"), method="POST",
        kwargs=lambda w: {"pk": w.draft_scenario.pk}),
    Row("selection:explain", logged_in("404", molit="done"), method="POST",
        kwargs=lambda w: {"pk": w.draft_scenario.pk}),
    Row("selection:export_scenario", logged_in("404", molit="200"),
        kwargs=lambda w: {"pk": w.scenario.pk}),
    Row("selection:results", E("200"), kwargs=lambda w: {"year": w.results_year}),
    Row("selection:results", E("404"), kwargs=lambda w: {"year": w.open_year},
        case="not published"),
    Row("selection:results_pdf", E("200"), kwargs=lambda w: {"year": w.results_year}),
]


# ---- the world, once per module ---------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo and the matrix's extra people and objects, made once for the module inside a
    transaction rolled back at the end (each request of the tests runs in a nested one, rolled
    back too). Each role logs in once; its session cookie is reused."""
    media = tmp_path_factory.mktemp("matrix-media")
    overrides = override_settings(
        MEDIA_ROOT=media,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        TASKS={"default": {"BACKEND": "kcity.jobs.backends.AfterCommitBackend"}},
    )
    overrides.enable()
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            built = build_world()
            cookies = {}
            for role, user in built.users.items():
                if user is not None:
                    client = Client()
                    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
                    cookies[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
            built.objects["cookies"] = cookies
            yield built
            transaction.set_rollback(True)
    finally:
        overrides.disable()


def client_for(world, role: str) -> Client:
    client = Client()
    if role in world.cookies:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.cookies[role]
    return client


def _url(name: str, kwargs: dict) -> str:
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


def _writes(queries) -> list[str]:
    return [
        q["sql"] for q in queries
        if q["sql"].lstrip().lower().startswith(WRITES)
        and not any(table in q["sql"] for table in IGNORED_TABLES)
    ]


def _is_login(response) -> bool:
    if response.status_code != 302:
        return False
    return urlparse(response["Location"]).path.rstrip("/").endswith("/login")


def revealed(response, texts: list[str]) -> str | None:
    """Which of `texts` the (non-streamed) answer shows, or None."""
    assert texts, "no hidden texts"
    body = (response.streamed_body if response.streaming else response.content).decode(
        "utf-8", "replace")
    shown = [t for t in texts if t in body or escape(t) in body]
    return f"shows {shown}" if shown else None


def request_as(world, role: str, method: str, url: str, data: dict):
    """The answer to one request and the writes it made, rolled back."""
    client = client_for(world, role)
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, data) if method == "POST" else client.get(url, data)
            if response.streaming:  # read to the end: the client then closes it as a server
                response.streamed_body = b"".join(response.streaming_content)
        transaction.set_rollback(True)
    return response, _writes(queries.captured_queries)


def mismatch(expected: str, response, writes: list[str]) -> str | None:
    """Why the answer is not the expected one, or None."""
    status = response.status_code
    login = _is_login(response)
    shown = "302 to log-in" if login else (
        f"{status} to {response['Location']}" if status in (301, 302) else str(status))
    if status >= 500:
        return f"server error {status}"
    if expected == "login":
        ok = login
    elif expected in ("refused", "reach"):
        ok = not login and status in (200, 201, 204, 301, 302, 400, 409)
    elif expected == "done":
        ok = not login and status in (200, 201, 204, 301, 302) and bool(writes)
    elif expected == "302":
        ok = status == 302 and not login
    else:
        ok = str(status) == expected
    if not ok:
        return f"expected {expected}, got {shown}" + (
            " with no change" if expected == "done" and not writes else "")
    if expected not in ("reach", "done") and writes:
        return f"answered {shown} but wrote: {writes[0][:160]}"
    return None


# ---- the tests --------------------------------------------------------------------------------


def url_patterns(resolver=None, namespace=""):
    """(namespace:name or route, top namespace) of every URL pattern, recursively."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from url_patterns(pattern, inner)
        else:
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield name or str(pattern.pattern), namespace.split(":")[0]


def test_every_url_pattern_has_a_row():
    """A new URL pattern without a row fails here: add its row to ROWS (see the module's
    docstring); the administration's patterns are covered by test_admin_site. No database:
    this check is in the fast tier (`-m fast`)."""
    covered = {row.name for row in ROWS}
    missing = sorted({name for name, top in url_patterns()
                      if top != "admin" and name not in covered})
    assert not missing, (
        f"URL patterns with no row in the access matrix: {missing}. Add a Row for each to "
        "ROWS in tests/security/test_access_matrix.py, with every role's answer.")


def test_every_row_names_an_existing_pattern():
    names = {name for name, _top in url_patterns()}
    stale = sorted({row.name for row in ROWS} - names)
    assert not stale, f"rows for URL patterns that no longer exist: {stale}"
    ids = [row.id for row in ROWS]
    assert len(ids) == len(set(ids)), "two rows with the same method and case"


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
def test_access(world, row):
    url = _url(row.name, row.kwargs(world))
    wrong, shown_to = [], []
    for role in ROLES:
        data = row.data(world)  # fresh for each request (an upload is read once)
        response, writes = request_as(world, role, row.method, url, data)
        problem = mismatch(row.expect[role], response, writes)
        if problem is None and row.hidden_from:
            shown = revealed(response, row.hidden(world)) if response.status_code == 200 \
                else None
            if role in row.hidden_from:
                problem = shown
            elif shown:
                shown_to.append(role)
        if problem:
            wrong.append(f"  {role}: {problem}")
    if row.hidden_from and not shown_to:  # else the check of the strangers proves nothing
        wrong.append(f"  nobody's page shows {row.hidden(world)}: check the hidden texts")
    assert not wrong, f"{row.method} {url} ({row.id}):\n" + "\n".join(wrong)


ADMIN_PAGES = ("admin:index", "admin:applications_proposal_changelist",
               "admin:accounts_user_changelist")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_site(world, name):
    """The administration is one entry group: MOLIT's staff officer reaches it; every other
    role (KIND and KAIA officers without staff status, anonymous visitors, an applicant who
    is `is_staff`) is sent to the administration's log-in, and nothing is written."""
    url = _url(name, {})
    wrong = []
    for role in ROLES:
        response, writes = request_as(world, role, "GET", url, {})
        problem = mismatch("200" if role == "molit" else "login", response, writes)
        if problem:
            wrong.append(f"  {role}: {problem}")
    applicant = world.users["applicant"]
    with transaction.atomic():
        type(applicant).objects.filter(pk=applicant.pk).update(is_staff=True)
        response, writes = request_as(world, "applicant", "GET", url, {})
        transaction.set_rollback(True)
    problem = mismatch("login", response, writes)
    if problem:
        wrong.append(f"  applicant with is_staff: {problem}")
    assert not wrong, f"GET {url}:\n" + "\n".join(wrong)


# What each secretariat officer finds in the administration: the records of its own tracks.
# model -> the records a KAIA officer must find in its list (and a KIND officer must not), and
# the records a KIND officer must find (and a KAIA officer must not); MOLIT finds both.
ADMIN_LISTS = {
    "applications.proposal": (lambda w: [w.proposal], lambda w: [w.planning]),
    "applications.document": (lambda w: [w.document], lambda w: [w.planning.documents.first()]),
    "applications.submission": (lambda w: [w.submission],
                                lambda w: [w.planning.submissions.first()]),
    "applications.consortiummember": (lambda w: [w.member], lambda w: []),
    "applications.proposalevent": (lambda w: [w.proposal.events.first()],
                                   lambda w: [w.planning.events.first()]),
    "evaluation.panel": (lambda w: [w.panel], lambda w: []),
    "evaluation.conflictdeclaration": (
        lambda w: [w.proposal.conflict_declarations.first()], lambda w: []),
    "evaluation.evaluationevent": (lambda w: [w.panel.events.first()],
                                   lambda w: [w.planning.eval_events.first()]),
    "evaluation.consultationround": (lambda w: [],
                                     lambda w: [w.planning.consultations.first()]),
    "projects.project": (lambda w: [w.host_project], lambda w: [w.project]),
    "selection.selectionround": (lambda w: [], lambda w: []),  # MOLIT's alone: see below
    "selection.outcome": (lambda w: [], lambda w: []),
}


def _change_url(obj) -> str:
    meta = obj._meta
    return _url(f"admin:{meta.app_label}_{meta.model_name}_change", {"object_id": obj.pk})


@pytest.mark.django_db
@pytest.mark.parametrize("model", sorted(ADMIN_LISTS))
def test_admin_lists_only_the_officers_tracks(world, model):
    """A KIND or KAIA officer given staff status and the secretariat's group (as the demo's
    MOLIT officer has) reaches the administration, but its lists hold only the records of the
    tracks its unit runs, as the portal's pages show them (and the selection records of no
    cycle: a round spans both units' tracks, MOLIT runs it); MOLIT's lists hold them all."""
    app_label, model_name = model.split(".")
    url = _url(f"admin:{app_label}_{model_name}_changelist", {})
    kaia_sees, kind_sees = (list(filter(None, f(world))) for f in ADMIN_LISTS[model])
    rows = apps.get_model(app_label, model_name)._default_manager
    everything = list(rows.all()) if app_label == "selection" else kaia_sees + kind_sees
    assert everything, f"the world has no {model} to look for"
    only = {"id__in": ",".join(str(obj.pk) for obj in everything)}  # one page, whatever the size
    wrong = []
    with transaction.atomic():
        for role in ("kind", "kaia"):
            officer = world.users[role]
            officer.is_staff = True
            officer.save(update_fields=["is_staff"])
            officer.groups.add(secretariat_group())
        bodies = {}
        for role in ("kaia", "kind", "molit"):
            response, _writes = request_as(world, role, "GET", url, only)
            if response.status_code != 200:
                wrong.append(f"  {role}: {response.status_code}")
                continue
            bodies[role] = response.content.decode()
        transaction.set_rollback(True)
    for role, body in bodies.items():
        mine = {"kaia": kaia_sees, "kind": kind_sees, "molit": everything}[role]
        for obj in everything:
            shown = _change_url(obj) in body
            if obj in mine and not shown:
                wrong.append(f"  {role}: misses its own {obj!r}")
            elif obj not in mine and shown:
                wrong.append(f"  {role}: shows another unit's {obj!r}")
    assert not wrong, f"GET {url}:\n" + "\n".join(wrong)

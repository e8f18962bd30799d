"""The read-only JSON API (/api/v1/): what each operation answers, to whom, in which language,
with how many queries; its OpenAPI document; its documentation page under the CSP."""

import datetime as dt
import re

import pytest
from django.contrib.staticfiles import finders
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from jsonschema import Draft202012Validator
from schemathesis.specs.openapi.definitions import OPENAPI_31

from kcity.accounts.models import User
from kcity.applications.models import Proposal
from kcity.opendata.selectors import portfolio, programme_totals
from kcity.permissions import visible_proposals
from kcity.portfolio.models import REGION_OF
from kcity.programs.models import Cycle
from kcity.selection.models import Outcome, OutcomeKind, SelectionRound

pytestmark = pytest.mark.django_db

API = "/api/v1"
SEOUL_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+09:00$")


def get(client, path, **params):
    return client.get(f"{API}{path}", params)


def user(name):
    return User.objects.get(username=name)


# ---- the document ---------------------------------------------------------------------------


def test_openapi_document_is_valid(client):
    response = get(client, "/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.1")
    Draft202012Validator(OPENAPI_31).validate(doc)  # the OpenAPI 3.1 meta-schema
    for name, schema in doc["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
        assert schema, name
    operations = {(path, method): op for path, item in doc["paths"].items()
                  for method, op in item.items()}
    assert {path for path, _ in operations} == {
        f"{API}/projects", f"{API}/projects/{{id}}", f"{API}/calls", f"{API}/calls/{{year}}",
        f"{API}/results", f"{API}/results/{{year}}", f"{API}/statistics", f"{API}/proposals",
        f"{API}/proposals/{{id}}",
    }
    for (path, method), op in operations.items():
        assert method == "get", path  # read-only
        assert {"200", "422"} <= set(op["responses"]), path
        if "{" in path:
            assert "404" in op["responses"], path
        if "/proposals" in path:
            assert "401" in op["responses"] and op["security"] == [{"Session": []}], path
        else:
            assert "401" not in op["responses"] and "security" not in op, path
        for param in op.get("parameters", []):
            Draft202012Validator.check_schema(param["schema"])
            if param["in"] == "query":  # never nullable: absent means "any"
                assert "anyOf" not in param["schema"], (path, param["name"])


def test_the_api_is_read_only(client):
    for response in (client.post(f"{API}/projects", {}), client.delete(f"{API}/projects/1"),
                     client.put(f"{API}/proposals/1"), client.post(f"{API}/openapi.json")):
        assert response.status_code == 405
        assert response["Allow"] == "GET"
        assert response.json() == {"detail": "The API is read-only: use GET."}


def test_unknown_addresses_answer_json_404(client):
    for path in ("/nothing", "/projects/", "/projects/1/extra"):
        response = get(client, path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json"
        assert response.json()["detail"]


# ---- projects -------------------------------------------------------------------------------


def test_projects_are_the_one_portfolio(client, demo):
    response = get(client, "/projects", page_size=100)
    assert response.status_code == 200
    body = response.json()
    expected = list(portfolio().values_list("pk", flat=True))
    assert body["count"] == len(expected) and body["count"] > 40
    assert body["page"] == 1 and body["page_size"] == 100
    assert [p["id"] for p in body["items"]] == expected[:100]
    assert not any(p["is_demo"] for p in body["items"])
    first = body["items"][0]
    assert first["status"] == "selected" and first["year"] == 2020
    assert set(first) >= {"track", "programme", "city", "country", "country_name", "region",
                          "award", "disbursed", "follow_on_amount", "status_label"}

    with_demo = get(client, "/projects", demo="true", page_size=100).json()
    assert with_demo["count"] == portfolio(include_demo=True).count() > body["count"]
    demo_rows = [p for p in with_demo["items"] if p["is_demo"]]
    assert demo_rows and all(isinstance(p["award"], int) for p in demo_rows)
    assert {p["status"] for p in demo_rows} - {"selected"}  # the platform's own states


def test_project_pages(client, demo):
    total = portfolio().count()
    pages = [get(client, "/projects", page=n, page_size=7).json() for n in (1, 2)]
    assert all(p["count"] == total for p in pages)
    assert {p["id"] for p in pages[0]["items"]}.isdisjoint(p["id"] for p in pages[1]["items"])
    beyond = get(client, "/projects", page=1000, page_size=100).json()
    assert beyond["items"] == [] and beyond["count"] == total


def test_project_filters(client, demo):
    rows = list(portfolio(include_demo=True))

    def ids(**params):
        response = get(client, "/projects", page_size=100, demo="true", **params)
        assert response.status_code == 200, response.content
        return {p["id"] for p in response.json()["items"]}

    assert ids(year=2023) == {r.pk for r in rows if r.year == 2023} != set()
    assert ids(track="demonstration") == {r.pk for r in rows if r.track_kind == "demonstration"}
    region = REGION_OF[rows[0].country.code]
    assert ids(region=region) == {r.pk for r in rows if REGION_OF[r.country.code] == region}
    country = rows[0].country.code
    assert ids(country=country.lower()) == {r.pk for r in rows if r.country.code == country}
    assert ids(status="in_progress") == {r.pk for r in rows if r.status == "in_progress"} != set()
    assert ids(year=2023, track="planning", country=country) == {
        r.pk for r in rows
        if r.year == 2023 and r.track_kind == "planning" and r.country.code == country}


@pytest.mark.parametrize("params, field", [
    ({"year": "twenty"}, "year"), ({"year": 1999}, "year"), ({"region": "mars"}, "region"),
    ({"country": "KOR"}, "country"), ({"status": "lost"}, "status"), ({"page": 0}, "page"),
    ({"page_size": 101}, "page_size"), ({"track": "x"}, "track"), ({"lang": "fr"}, "lang"),
    ({"year": 10**30}, "year"),
])
def test_bad_parameters_are_422_naming_the_field(client, params, field):
    response = get(client, "/projects", **params)
    assert response.status_code == 422
    problems = response.json()["detail"]
    assert [p["loc"] for p in problems] == [["query", field]]
    assert all(p["msg"] for p in problems)


def test_one_project(client, demo):
    row = portfolio(include_demo=True).filter(paperwork__isnull=False).first()
    response = get(client, f"/projects/{row.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == row.pk and body["status"] == row.status and body["is_demo"]
    assert body["award"] == row.award and "source" in body

    missing = get(client, "/projects/999999")
    assert missing.status_code == 404 and missing.json()["detail"] == "No project with this id."
    for bad in ("0", "abc", "-3", str(2**40)):
        response = get(client, f"/projects/{bad}")
        assert response.status_code == 422, bad
        assert response.json()["detail"][0]["loc"] == ["path", "id"]


# ---- calls ----------------------------------------------------------------------------------


def test_calls_show_public_facts_and_never_a_draft(client, demo):
    Cycle.objects.create(year=2035, title_en="Draft", title_ko="초안", total_budget=1)
    client.force_login(user("secretariat"))  # even the secretariat: the API is the public's
    calls = get(client, "/calls").json()
    years = [c["year"] for c in calls]
    assert 2035 not in years and years == sorted(years, reverse=True)
    assert 2028 in years and 2024 in years
    assert get(client, "/calls/2035").status_code == 404

    call = get(client, "/calls/2028").json()
    assert call["is_demo"] and call["tracks"]
    for track in call["tracks"]:
        for key in ("opens_at", "deadline", "call_ends_at"):
            assert track[key] is None or SEOUL_OFFSET.match(track[key]), track[key]
        assert track["grant_max"] is None or isinstance(track["grant_max"], int)
        assert track["criteria"] and all(isinstance(c["weight"], int) for c in track["criteria"])
    cycle = Cycle.objects.get(year=2028)
    track = cycle.tracks.exclude(deadline=None).order_by("order", "code").first()
    shown = next(t for t in call["tracks"] if t["code"] == track.code)
    assert dt.datetime.fromisoformat(shown["deadline"]) == track.deadline

    open_calls = get(client, "/calls", status="open").json()
    assert open_calls and all(t["call_status"] == "open" for c in open_calls for t in c["tracks"])
    assert 2028 in [c["year"] for c in open_calls]
    assert get(client, "/calls", status="ajar").status_code == 422


# ---- results --------------------------------------------------------------------------------


def test_results_only_published_and_without_scores(client, demo):
    published = SelectionRound.objects.get(cycle__year=2027, published_at__isnull=False)
    SelectionRound.objects.create(cycle=Cycle.objects.get(year=2028), instance={},
                                  created_by=user("secretariat"))  # not published
    years = get(client, "/results").json()
    assert [r["year"] for r in years] == [2027]
    assert SEOUL_OFFSET.match(years[0]["published_at"])
    assert get(client, "/results/2028").status_code == 404
    assert get(client, "/results/2024").status_code == 404

    response = get(client, "/results/2027")
    assert response.status_code == 200
    body = response.json()
    outcomes = Outcome.objects.filter(round=published)
    selected = outcomes.filter(outcome=OutcomeKind.SELECTED)
    assert body["selected_count"] == selected.count() == len(body["selected"])
    assert body["awarded"] == sum(o.award for o in selected)
    assert {s["title"] for s in body["selected"]} == {o.proposal.title for o in selected}
    reserve = outcomes.filter(outcome=OutcomeKind.RESERVE).order_by("reserve_rank")
    assert [r["title"] for r in body["reserve"]] == [o.proposal.title for o in reserve]
    text = response.content.decode()
    assert "merit" not in text and "score" not in text
    for o in outcomes.exclude(outcome__in=[OutcomeKind.SELECTED, OutcomeKind.RESERVE,
                                           OutcomeKind.WITHDRAWN]):
        assert o.proposal.title not in text  # the proposals not funded are only counted


# ---- statistics -----------------------------------------------------------------------------


def test_statistics_are_the_programme_totals(client, demo):
    body = get(client, "/statistics").json()
    totals = programme_totals()
    assert body == {"projects": totals["projects"], "countries": totals["countries"],
                    "cities": totals["cities"], "years": totals["years"]}
    assert body["years"][0]["year"] == 2020 and body["projects"] > 40


# ---- the logged-in user's proposals ---------------------------------------------------------


def test_anonymous_gets_401_for_proposals(client, demo):
    some = Proposal.objects.first()
    for path in ("/proposals", f"/proposals/{some.pk}", "/proposals/999999"):
        response = get(client, path)
        assert response.status_code == 401, path
        assert response.json() == {"detail": "Log in to the portal first."}


def test_applicants_see_their_own_proposals_only(client, demo):
    owner, stranger = user("company-applicant"), user("gov-applicant")
    mine = visible_proposals(owner)
    theirs = mine.exclude(pk__in=visible_proposals(stranger).values("pk")).first()
    assert theirs is not None

    client.force_login(owner)
    body = get(client, "/proposals", page_size=100).json()
    assert body["count"] == mine.count() == len(body["items"])
    assert {p["id"] for p in body["items"]} == set(mine.values_list("pk", flat=True))
    one = get(client, f"/proposals/{theirs.pk}").json()
    assert one["id"] == theirs.pk and one["title"] == theirs.title
    assert one["requested_amount"] == theirs.requested_amount
    assert SEOUL_OFFSET.match(one["updated_at"])

    client.force_login(stranger)
    response = get(client, f"/proposals/{theirs.pk}")
    assert response.status_code == 404
    assert response.json()["detail"] == "No proposal with this id among yours."
    listed = {p["id"] for p in get(client, "/proposals", page_size=100).json()["items"]}
    assert theirs.pk not in listed

    client.force_login(user("secretariat"))
    assert get(client, f"/proposals/{theirs.pk}").status_code == 200
    assert get(client, "/proposals").json()["count"] == visible_proposals(
        user("secretariat")).count()


def test_a_user_who_owes_the_second_factor_is_not_logged_in_for_the_api(client, demo, settings):
    settings.KCITY_REQUIRE_2FA = True
    client.force_login(user("secretariat"))  # must set up two-step verification first
    assert get(client, "/proposals").status_code == 401
    assert get(client, "/statistics").status_code == 200  # public: no log-in needed
    assert client.get("/en/proposals/screening/").status_code == 302  # the pages: enrolment

    settings.KCITY_REQUIRE_2FA = False
    applicant = user("company-applicant")
    device = TOTPDevice.objects.create(user=applicant, name="phone", confirmed=True)
    client.force_login(applicant)  # the password only: the code is still owed
    assert get(client, "/proposals").status_code == 401
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    assert get(client, "/proposals").json()["count"] == visible_proposals(applicant).count()


# ---- languages ------------------------------------------------------------------------------


def test_labels_follow_lang_or_accept_language(client, demo):
    def label(**kwargs):
        response = client.get(f"{API}/projects", {"track": "demonstration", **kwargs.pop(
            "params", {})}, **kwargs)
        return response.json()["items"][0]["track_label"]

    assert label() == "Overseas demonstration"
    korean = label(params={"lang": "ko"})
    assert korean != "Overseas demonstration" and re.search(r"[가-힣]", korean)
    assert label(HTTP_ACCEPT_LANGUAGE="ko") == korean
    assert label(params={"lang": "en"}, HTTP_ACCEPT_LANGUAGE="ko") == "Overseas demonstration"
    for path in ("/projects/999999", "/proposals", "/nothing"):
        error = client.get(f"{API}{path}", {"lang": "ko"}, HTTP_ACCEPT_LANGUAGE="ko").json()
        assert re.search(r"[가-힣]", error["detail"]), path
    for path in ("/proposals", "/nothing"):
        assert re.search(r"[가-힣]", client.get(f"{API}{path}", {"lang": "ko"}).json()["detail"])
    refused = client.post(f"{API}/projects?lang=ko").json()["detail"]
    assert re.search(r"[가-힣]", refused)
    call = client.get(f"{API}/calls/2028", {"lang": "ko"}).json()
    assert all(re.search(r"[가-힣]", t["name"] + t["intake_mode_label"]) for t in call["tracks"])
    assert call["tracks"][0]["intake_mode"] in ("fixed", "year_round")


# ---- queries --------------------------------------------------------------------------------


@pytest.mark.parametrize("path, most, status", [
    ("/projects?page_size=100&demo=true", 3, 200),  # a count, the page's ids, its rows
    ("/projects/{project}", 1, 200),
    ("/calls", 3, 200), ("/calls/2028", 3, 200), ("/results", 1, 200),
    ("/results/2027", 2, 200), ("/statistics", 1, 200),
    # session and user, then the rows (a count and a page; one row, or two lookups for a miss)
    ("/proposals?page_size=100", 4, 200), ("/proposals/{proposal}", 3, 200),
    ("/proposals/999999", 4, 404),
])
def test_queries_are_bounded(client, demo, django_assert_max_num_queries, path, most, status):
    """Whatever the number of rows: the list operations read a page with a fixed number of
    queries (no query per row)."""
    applicant = user("company-applicant")
    path = path.format(project=portfolio(include_demo=True).last().pk,
                       proposal=visible_proposals(applicant).first().pk)
    if "proposal" in path:
        client.force_login(applicant)
        get(client, "/proposals")  # the session's first read of the user's device
    with django_assert_max_num_queries(most):
        assert client.get(f"{API}{path}").status_code == status


# ---- the documentation page -----------------------------------------------------------------


def test_docs_page_keeps_the_content_security_policy(client):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    html = response.content.decode()
    assert not re.search(r"<script\b(?![^>]*\bsrc=)[^>]*>", html, re.I)  # no inline script
    assert not re.search(r"<style\b|<[a-z][^>]*\sstyle\s*=|\son[a-z]+\s*=", html, re.I)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith(("/static/", f"{API}/", "data:")) for a in assets), assets
    assert f'data-openapi-url="{API}/openapi.json"' in html
    for asset in (a for a in assets if a.startswith("/static/")):
        assert finders.find(asset.removeprefix("/static/")), asset  # served by the portal


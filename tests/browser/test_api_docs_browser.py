"""The API's documentation page (/api/v1/docs) works in a browser under the portal's Content
Security Policy: Swagger UI comes from the portal's own static files (no CDN), starts from a
script file, lists every operation and runs one, with no policy violation."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_docs_page_runs_swagger_ui_under_the_policy(page, transactional_db, live_server):
    problems, foreign = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: foreign.append(r.url)
            if not r.url.startswith((live_server.url, "data:")) else None)

    response = page.goto(live_server.url + "/api/v1/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("K-City Network open data")
    for path in ("/api/v1/projects", "/api/v1/calls/{year}", "/api/v1/proposals/{id}"):
        expect(page.locator(f".opblock-summary-path[data-path='{path}']")).to_be_visible()

    # Run an operation from the page: the request goes to the portal (connect-src 'self').
    statistics = page.locator("#operations-public-statistics")  # tag and operation id
    statistics.locator(".opblock-summary").click()
    statistics.get_by_role("button", name="Try it out").click()
    statistics.get_by_role("button", name="Execute").click()
    expect(statistics.locator(".live-responses-table td.response-col_status:not(.col_header)")
           ).to_contain_text("200")

    assert not foreign, foreign
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    assert not problems, problems

"""The secretariat runs a 2025 round, cuts the budget, compares the two policies, approves
and publishes; the public results page (English and Korean) and the applicants' e-mails
show the outcome. The demo leaves the real 2025 cycle alone, so this test writes its own
evaluated proposals there (test data, in the test database) and builds the round."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from evaluated_world import evaluated_directly
from kcity.accounts.models import User
from kcity.applications.models import Proposal
from kcity.jobs.models import OutboundEmail
from kcity.programs.models import Cycle
from kcity.selection import services
from kcity.selection.models import SelectionRound
from kcity.site.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def log_in(page, base, username, next_url):
    page.goto(f"{base}/en/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_url}")


def test_secretariat_selects_and_publishes(page, live_demo, mailoutbox):
    cycle = Cycle.objects.get(year=2025)
    assert not SelectionRound.objects.filter(cycle=cycle).exists()  # the demo left it alone
    evaluated_directly(cycle)
    services.create_round(by=User.objects.get(username="secretariat"), cycle=cycle,
                          budget=4_200_000_000, max_per_country=2, bonus_matching_funds=2,
                          bonus_prior_planning=1)
    mailoutbox.clear()
    base = live_demo.url
    round = SelectionRound.objects.get(cycle__year=2025)
    log_in(page, base, "secretariat", "/en/selection/")
    page.locator("#rounds").get_by_role("link", name=f"Round {round.pk}").click()
    expect(page.locator("h1")).to_contain_text("of the 2025 cycle")
    table = page.locator("#side-by-side")
    expect(table).to_contain_text("Maximum total merit")
    expect(table).to_contain_text("Down the merit order")

    # What if the budget is cut to 3.6 billion KRW, under maximum total merit?
    page.locator("#scenarios").get_by_role("link", name="Maximum total merit").click()
    expect(page.locator("#status")).to_have_text("optimal")
    expect(page.locator("#other-status")).to_have_text("optimal")  # merit order beside it
    page.fill("#id_budget", "3600000000")
    page.get_by_role("button", name="Answer again").click()
    expect(page.locator(".messages")).to_contain_text("Scenario answered again.")
    awarded = page.locator("#awarded").inner_text()
    amount = int(re.sub(r"\D", "", awarded))
    assert 0 < amount <= 3_600_000_000
    expect(page.locator("#id_budget")).to_have_value("3600000000")

    # Compare it with the merit-order scenario.
    page.get_by_role("link", name=re.compile("Selection round")).click()
    page.select_option("#id_a", label="Maximum total merit")
    page.select_option("#id_b", label="Down the merit order")
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("h1")).to_contain_text("compared with")
    expect(page.locator("#compare-totals tbody tr")).to_have_count(2)
    expect(page.locator("#compare-totals")).to_contain_text(awarded)

    # Approve the max-merit scenario, then publish.
    page.go_back()
    page.locator("#scenarios").get_by_role("link", name="Maximum total merit").click()
    page.get_by_role("button", name="Approve this scenario").click()
    expect(page.locator(".messages")).to_contain_text("Scenario approved")
    expect(page.locator("#scenario-state")).to_contain_text("Approved by")
    expect(page.locator("#approve")).to_have_count(0)
    page.get_by_role("link", name=re.compile("Selection round")).click()
    page.get_by_role("button", name="Publish the approved scenario").click()
    expect(page.locator(".messages")).to_contain_text("Results published")
    expect(page.locator("#round-status")).to_contain_text("Published")

    round.refresh_from_db()
    scenario = round.scenarios.get(approved_at__isnull=False)
    assert scenario.result["awarded"] == amount
    selected = list(Proposal.objects.filter(pk__in=[int(i) for i in scenario.result["selected"]]))
    assert selected and all(p.state == "selected" for p in selected)

    # The public page, in English and in Korean.
    page.get_by_role("link", name="Public results page").click()
    expect(page.locator("h1")).to_contain_text("2025 K-City Network Global Cooperation Program")
    for p in selected:
        expect(page.locator("main")).to_contain_text(p.title)
    expect(page.locator("#reserve-list")).to_be_visible()
    page.goto(f"{base}/ko/results/2025/")
    expect(page.locator("h1")).to_contain_text("2025년 K-City Network")
    expect(page.locator("main")).to_contain_text(selected[0].title)

    # One e-mail per proposal of the round, sent to its applicant.
    ids = [int(p["id"]) for p in round.instance["proposals"]]
    emails = OutboundEmail.objects.filter(proposal_id__in=ids, key__startswith="state:")
    assert emails.count() == len(ids)
    assert emails.filter(sent_at__isnull=False).count() == len(ids)
    # The demo log-ins (Hai Phong, Hanbit Smart Mobility) receive theirs.
    mine = Proposal.objects.filter(pk__in=ids, organisation__members__username__in=[
        "gov-applicant", "company-applicant"]).distinct()
    assert mine.exists()
    for p in mine:
        to_them = [m for m in mailoutbox if p.title in m.subject]
        reader = p.organisation.members.get()
        assert len(to_them) == 1 and to_them[0].to == [reader.email]
        with translation.override(reader.preferred_language):  # mail in the reader's language
            assert p.get_state_display() in to_them[0].subject

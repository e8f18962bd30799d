"""A Korean company builds a consortium, the partner accepts through the invitation link,
the proposal is submitted and the receipt is shown."""

import re

import pytest
from playwright.sync_api import expect

from kcity.applications.demo import DEMO_PDF
from kcity.site.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser
PDF = DEMO_PDF  # a real PDF: the upload checks refuse one that only starts like a PDF


def log_in(page, base, username, next_url):
    page.goto(f"{base}/en/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_url}")


def test_company_consortium_invitation_and_submission(page, live_demo):
    base = live_demo.url
    log_in(page, base, "company-applicant", "/en/proposals/new/")
    page.select_option("#id_track", label="2028 · Overseas Demonstration")
    page.fill("#id_title", "Smart streetlights for Depok")
    page.get_by_role("button", name="Create the draft").click()
    page.wait_for_url(re.compile(r".*/proposals/\d+/edit/$"))
    for field, value in {
        "city": "Depok", "solution": "Adaptive LED streetlights with sensors.",
        "proof_evidence": "Smart Challenge 2022, Sejong.", "demonstration_site": "Campus roads",
        "site_readiness": "Power and fibre in place.", "business_plan": "Pilot, then scale.",
        "market_entry_plan": "West Java cities.", "requested_amount": "400,000,000",
        "matching_cash": "50000000", "matching_in_kind": "30000000",
        "matching_funds_evidence": "University letter.", "budget_labour": "160000000",
        "budget_equipment": "240000000",
    }.items():
        page.fill(f"#id_{field}", value)
    page.select_option("#id_country", "ID")
    page.select_option("#id_proof_kind", "smart_challenge")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#state")).to_have_text("Draft")

    page.fill("#id_name", "Universitas Indonesia")
    page.fill("#id_email", "partner@demo.kcitynetwork.kr")
    page.select_option("#id_role", "site_host")
    page.get_by_role("button", name="Invite", exact=True).click()
    link = page.locator(".invitation-link").input_value()
    assert "/proposals/invitations/" in link
    for code in ["business_plan", "partner_loi", "proof_in_korea", "budget_sheet"]:
        page.select_option("#id_code", code)
        page.set_input_files("#id_file", {"name": f"{code}.pdf", "mimeType": "application/pdf",
                                          "buffer": PDF})
        page.get_by_role("button", name="Upload").click()
        expect(page.locator(".messages")).to_contain_text(f"Attached {code}.pdf")
    expect(page.locator("#problems")).to_contain_text("confirmed its participation")
    page.get_by_role("button", name="Log out").click()

    path = link.split(base, 1)[1]
    log_in(page, base, "partner", path)
    expect(page.get_by_text("Smart streetlights for Depok", exact=False)).to_be_visible()
    page.get_by_role("button", name="Confirm our participation").click()
    expect(page.locator(".messages")).to_contain_text("You have confirmed your participation")
    page.get_by_role("button", name="Log out").click()

    log_in(page, base, "company-applicant", "/en/proposals/")
    page.get_by_role("link", name="Smart streetlights for Depok").click()
    expect(page.locator("#consortium")).to_contain_text("Confirmed")
    page.get_by_role("link", name="Submit", exact=True).click()
    page.get_by_role("button", name="Submit now").click()
    expect(page.locator("#receipt-number")).to_have_text(re.compile(r"^KCN-2028-DEMO-\d{4}$"))
    expect(page.get_by_role("link", name="Download the receipt (PDF)")).to_be_visible()

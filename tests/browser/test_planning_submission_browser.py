"""All through the browser: a foreign government official registers, the secretariat verifies
the organisation, the official sends a concept note for the year-round planning call, the
secretariat invites a full proposal, the official completes and submits it and gets the receipt
(number, KST time, SHA-256, PDF)."""

import re

import pytest
from playwright.sync_api import expect

from kcity.applications.demo import DEMO_PDF
from kcity.site.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser
PDF = DEMO_PDF  # a real PDF: the upload checks refuse one that only starts like a PDF
TITLE = "Cebu smart mobility master plan"


def field(page, label):
    """A form field by its whole label (Django's labels end with a colon)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def register_official(page, base):
    page.goto(base + "/en/")
    page.get_by_role("link", name="Register", exact=True).click()
    page.get_by_role("link", name="I work for a foreign government").click()
    page.get_by_label("A foreign government (national, regional or city)").check()
    page.get_by_label("Name of the government or organisation").fill("Cebu City")
    field(page, "Country").select_option("PH")
    page.get_by_label("Level of government").select_option("local")
    page.get_by_label("City or region").fill("Cebu")
    page.get_by_label("First name").fill("Maria")
    page.get_by_label("Last name").fill("Santos")
    page.get_by_label("E-mail address").fill("maria@cebucity.gov.ph")
    page.get_by_label("User name").fill("maria")
    page.get_by_label("Password", exact=True).fill("Cebu-smart-2026!")
    page.get_by_label("Password again").fill("Cebu-smart-2026!")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/en/accounts/profile/")
    expect(page.locator("#account-status")).to_contain_text(
        "Your organisation is waiting for verification."
    )


def secretariat_page(browser, base):
    context = browser.new_context(locale="en-US", timezone_id="Asia/Seoul")
    staff = context.new_page()
    staff.set_default_timeout(15_000)
    staff.goto(base + "/en/accounts/login/")
    staff.get_by_label("User name").fill("secretariat")
    staff.get_by_label("Password").fill(DEMO_PASSWORD)
    staff.get_by_role("button", name="Log in").click()
    staff.wait_for_url("**/en/accounts/profile/")
    return context, staff


def test_official_submits_planning_proposal_and_gets_receipt(page, browser, live_demo):
    base = live_demo.url
    register_official(page, base)

    # The secretariat verifies the new organisation on its own page.
    staff_context, staff = secretariat_page(browser, base)
    staff.get_by_role("link", name="Organisations waiting for verification").click()
    row = staff.locator("#pending-organisations tbody tr", has_text="Cebu City")
    row.get_by_role("button", name="Verify").click()
    expect(staff.locator(".messages")).to_contain_text("Cebu City is verified")
    expect(staff.locator("#pending-organisations tbody tr", has_text="Cebu City")).to_have_count(0)

    # The official sees the change, reads the 2028 call and starts a planning proposal from it.
    page.reload()
    expect(page.locator("#account-status")).to_contain_text("you may submit proposals")
    page.get_by_role("link", name="See the calls for proposals").click()
    page.locator("#calls-open tr[data-track='2028-PLAN']").get_by_role("link").click()
    plan = page.locator("#track-PLAN")
    plan.get_by_role("link", name="Start a proposal for this track").click()
    page.wait_for_url("**/en/proposals/new/?track=*")
    expect(page.get_by_label("Track")).to_have_value(re.compile(r"^\d+$"))
    assert page.get_by_label("Track").locator("option:checked").inner_text().startswith("2028 · ")
    page.get_by_label("Title of the proposal").fill(TITLE)
    page.get_by_role("button", name="Create the draft").click()
    page.wait_for_url(re.compile(r".*/en/proposals/\d+/edit/$"))

    # The planning content, found by its labels.
    field(page, "City").fill("Cebu")
    field(page, "Country").select_option("PH")
    field(page, "Project type").select_option("urban_regeneration")
    field(page, "Urban problem addressed").select_option("traffic")
    field(page, "Site and scale").fill("Downtown and the South Road Properties, 900 ha.")
    field(page, "Site readiness (network connectivity, data, land)").fill(
        "Fibre along the main roads; city-owned land."
    )
    field(page, "Priority in national plans").fill("Philippine smart cities roadmap.")
    field(page, "Expected roles for Korean companies").fill("Traffic control centre.")
    field(page, "Requested amount (KRW)").fill("600,000,000")
    field(page, "Matching funds committed (KRW)").fill("120000000")
    field(page, "Evidence of matching funds").fill("City council resolution 2026-14.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(re.compile(r".*/en/proposals/\d+/$"))
    expect(page.locator(".messages")).to_contain_text("Saved.")
    expect(page.locator("#state")).to_have_text("Draft")
    # The concept note comes first, and the page says so.
    expect(page.locator("#problems")).to_contain_text("concept note first")
    proposal_url = page.url

    field(page, "Concept note").fill("A mobility master plan for downtown Cebu.")
    page.get_by_role("button", name="Send the concept note").click()
    expect(page.locator(".messages")).to_contain_text("Your concept note has been sent")
    expect(page.locator("#pre-consultation")).to_contain_text("Awaiting the secretariat")

    # The secretariat answers the concept note from its screening queue.
    staff.get_by_role("link", name="Screening", exact=True).click()
    staff.get_by_role("link", name=TITLE).click()
    expect(staff.get_by_role("heading", name="Concept note awaiting an answer")).to_be_visible()
    staff.get_by_label("Full proposal invited").check()
    field(staff, "Note to the applicant").fill("Welcome; please attach the letters.")
    staff.get_by_role("button", name="Record the outcome").click()
    expect(staff.locator(".messages")).to_contain_text("Outcome recorded")
    staff_context.close()

    # The official attaches every required document, as the page lists them.
    page.goto(proposal_url)
    expect(page.locator("#pre-consultation")).to_contain_text("Full proposal invited")
    expect(page.locator("#pre-consultation")).to_contain_text("please attach the letters")
    codes = field(page, "Document").locator("option").evaluate_all(
        "options => options.map(o => o.value)"
    )
    assert codes
    for code in codes:
        field(page, "Document").select_option(code)
        field(page, "File").set_input_files(
            {"name": f"{code}.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        page.get_by_role("button", name="Upload").click()
        expect(page.locator(".messages")).to_contain_text(f"Attached {code}.pdf")
    expect(page.locator("#documents .missing")).to_have_count(0)
    expect(page.locator("#problems")).to_have_count(0)

    page.get_by_role("link", name="Submit", exact=True).click()
    expect(page.locator("#problems")).to_have_count(0)
    page.get_by_role("button", name="Submit now").click()

    # The receipt: number, time in KST, SHA-256; then the PDF.
    expect(page.get_by_role("heading", name="Submission receipt")).to_be_visible()
    expect(page.locator("#receipt-number")).to_have_text(re.compile(r"^KCN-2028-PLAN-\d{4}$"))
    received = page.locator("tr", has=page.get_by_role("rowheader", name="Received (KST)"))
    expect(received.locator("td")).to_have_text(
        re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
    )
    digest = page.locator("tr", has=page.get_by_role(
        "rowheader", name="SHA-256 of the content and files"))
    expect(digest.locator("td")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    number = page.locator("#receipt-number").inner_text()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the receipt (PDF)").click()
    download = info.value
    assert download.suggested_filename == f"{number}.pdf"
    with open(download.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"

    page.get_by_role("link", name="Back to the proposal").click()
    expect(page.locator("#state")).to_have_text("Submitted")
    expect(page.locator("#receipts")).to_contain_text(number)

"""A foreign government official registers, the secretariat verifies, the official may apply."""

import pytest
from playwright.sync_api import expect

from kcity.accounts.models import Organisation
from kcity.site.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_official_registers_is_verified_and_may_apply(page, browser, live_demo, mailoutbox):
    mailoutbox.clear()  # the demo's own proposals send mail while loading
    page.goto(live_demo.url + "/en/")
    page.get_by_role("link", name="Register", exact=True).click()
    page.get_by_role("link", name="I work for a foreign government").click()
    page.get_by_label("A foreign government (national, regional or city)").check()
    page.get_by_label("Name of the government or organisation").fill("Da Nang City")
    page.get_by_label("Country").select_option("VN")
    page.get_by_label("Level of government").select_option("local")
    page.get_by_label("City or region").fill("Da Nang")
    page.get_by_label("First name").fill("Linh")
    page.get_by_label("Last name").fill("Tran")
    page.get_by_label("E-mail address").fill("linh@danang.gov.vn")
    page.get_by_label("User name").fill("linh")
    page.get_by_label("Password", exact=True).fill("Seoul-smart-2026!")
    page.get_by_label("Password again").fill("Seoul-smart-2026!")
    page.get_by_role("button", name="Register").click()

    page.wait_for_url("**/en/accounts/profile/")
    expect(page.locator("#account-status")).to_contain_text(
        "Your organisation is waiting for verification."
    )
    org = Organisation.objects.get(name="Da Nang City")
    assert org.verified_at is None

    # The secretariat verifies the organisation with the admin action.
    staff_context = browser.new_context(locale="en-US")
    staff = staff_context.new_page()
    staff.goto(live_demo.url + "/en/accounts/login/")
    staff.fill("#id_username", "secretariat")
    staff.fill("#id_password", DEMO_PASSWORD)
    staff.get_by_role("button", name="Log in").click()
    staff.wait_for_url("**/en/accounts/profile/")
    staff.goto(live_demo.url + "/en/admin/accounts/organisation/?verified_at__isnull=True")
    staff.locator(f"input[name=_selected_action][value='{org.pk}']").check()
    staff.locator("select[name=action]").select_option("verify_selected")
    staff.get_by_role("button", name="Go").click()
    expect(staff.locator(".messagelist")).to_contain_text("1 organisation verified")
    staff_context.close()

    org.refresh_from_db()
    assert org.verified_at is not None
    # First the secretariat was told of the registration, then the official of the verification.
    assert [m.to for m in mailoutbox] == [
        ["secretariat@demo.kcitynetwork.kr"],
        ["linh@danang.gov.vn"],
    ]

    # The official sees the change and opens the calls.
    page.reload()
    expect(page.locator("#account-status")).to_contain_text("you may submit proposals")
    page.get_by_role("link", name="See the calls for proposals").click()
    page.wait_for_url("**/en/calls/")
    expect(page.get_by_role("heading", name="Calls for proposals", level=1)).to_be_visible()
    # Deadlines are printed in KST; the script adds the reader's own time beside them.
    first = page.locator(".when").first
    expect(first.locator("time")).to_contain_text("KST")
    expect(first.locator(".local-time")).to_be_visible()
    assert first.locator(".local-value").inner_text().strip()

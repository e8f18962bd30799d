"""The secretariat sets up two-step verification in a real browser, logs out, and logs in
again with a code from the (computed) authenticator app. No page breaks the Content
Security Policy on the way."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from kcity.site.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def app_code(device, steps_ahead: int = 0) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, steps_ahead):06d}"


def log_in(page, url):
    page.goto(url + "/en/accounts/login/")
    page.fill("#id_username", "secretariat")
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_enrol_log_out_and_log_in_with_a_code(page, live_demo, settings):
    settings.KCITY_REQUIRE_2FA = True
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text
            else None)

    log_in(page, live_demo.url)
    page.wait_for_url("**/en/accounts/2fa/enrol/?next=*")
    expect(page.locator("#totp-qr svg")).to_be_visible()
    device = TOTPDevice.objects.get(user__username="secretariat", confirmed=False)
    secret = page.locator("#totp-secret").inner_text()
    assert len(secret.replace(" ", "")) == 32  # 20 bytes in base32
    page.fill("#id_token", app_code(device))
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.locator("#continue").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    page.get_by_role("link", name="Screening").click()
    expect(page.locator("#screening")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/en/")
    log_in(page, live_demo.url)
    page.wait_for_url("**/en/accounts/2fa/?next=*")
    page.goto(live_demo.url + "/en/proposals/screening/")  # not before the code
    page.wait_for_url("**/en/accounts/2fa/?next=*")
    page.fill("#id_otp_token", app_code(device, 1))  # the next step's: a code counts once
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/en/proposals/screening/")
    expect(page.locator("#screening")).to_be_visible()
    page.get_by_role("link", name="Administration").click()
    expect(page.locator("#site-name")).to_contain_text("K-City Network administration")
    assert not refused, refused

"""Delivery in the browser: the contractor uploads a deliverable, the track's secretariat
returns it with a comment, the contractor uploads again, the secretariat accepts it and
records the payment; the host government follows the progress, read-only."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from delivery_world import PASSWORD, build_world
from kcity.applications.demo import DEMO_PDF
from kcity.projects import delivery

pytestmark = pytest.mark.browser


def log_in(page, base, username, next_url):
    page.goto(f"{base}/en/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_url}")


def log_out(page):
    page.get_by_role("button", name="Log out").click()


def test_upload_return_upload_accept_pay_and_host_reads(page, transactional_db, live_server,
                                                        tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world()
    project = world["project"]
    d = delivery.add_deliverable(project=project, by=world["kind"], kind="master_plan",
                                 title_en="Hue master plan", title_ko="후에 마스터플랜",
                                 due_on=dt.date(2031, 9, 30))
    draft = tmp_path / "master-plan-v1.pdf"
    draft.write_bytes(DEMO_PDF)
    second = tmp_path / "master-plan-v2.pdf"
    second.write_bytes(DEMO_PDF)
    base = live_server.url
    url = f"/en/delivery/projects/{project.pk}/"
    section = page.locator(f"#history-{d.pk}")

    log_in(page, base, "d-contractor", url)
    section.locator("input[type=file]").set_input_files(str(draft))
    section.locator("textarea").fill("First draft of the master plan.")
    section.get_by_role("button", name="Submit").click()
    expect(page.locator(".messages")).to_contain_text("submitted for review")
    expect(page.locator(f"#deliverable-{d.pk} .state")).to_have_text("submitted")
    expect(section.locator(".submit-form")).to_have_count(0)
    log_out(page)

    log_in(page, base, "d-kind", url)
    section.get_by_label("Return with comments").check()
    section.locator("textarea").fill("Add the flood risk chapter.")
    section.get_by_role("button", name="Record the review").click()
    expect(page.locator(".messages")).to_contain_text("returned to the contractor")
    expect(page.locator(f"#deliverable-{d.pk} .state")).to_have_text("returned")
    log_out(page)

    log_in(page, base, "d-contractor", url)
    expect(section.locator(".comment")).to_have_text("Add the flood risk chapter.")
    section.locator("input[type=file]").set_input_files(str(second))
    section.locator("textarea").fill("With the flood risk chapter.")
    section.get_by_role("button", name="Submit again").click()
    expect(page.locator(".messages")).to_contain_text("submitted for review")
    log_out(page)

    log_in(page, base, "d-kind", url)
    section.get_by_label("Accept").check()
    section.get_by_role("button", name="Record the review").click()
    expect(page.locator(".messages")).to_contain_text("accepted")
    expect(page.locator(f"#deliverable-{d.pk} .state")).to_have_text("accepted")
    page.select_option("#payment-form select", str(d.pk))
    page.fill("#payment-form input[name=amount]", "150000000")
    page.fill("#payment-form input[name=paid_on]", "2031-10-15")
    page.get_by_role("button", name="Record the payment").click()
    expect(page.locator(".messages")).to_contain_text("payment was recorded")
    expect(page.locator("#payments")).to_contain_text("2031-10-15")
    log_out(page)

    log_in(page, base, "d-host", url)
    expect(page.locator(f"#deliverable-{d.pk} .state")).to_have_text("accepted")
    history = section.locator("li.submission")
    expect(history).to_have_count(2)
    expect(history.nth(0)).to_contain_text("Add the flood risk chapter.")
    expect(history.nth(1)).to_contain_text("Accepted by")
    expect(page.locator("#payments")).to_contain_text("2031-10-15")
    expect(page.locator("form.review-form, form.submit-form, #payment-form")).to_have_count(0)
    page.goto(f"{base}/ko/delivery/projects/{project.pk}/")
    expect(page.locator("#deliverables")).to_contain_text("후에 마스터플랜")

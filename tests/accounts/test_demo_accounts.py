"""Each demo log-in works; the secretariat's opens the admin, the others' do not."""

import pytest
from django.http import HttpRequest

from kcity.site.demo import DEMO_PASSWORD, DEMO_USERS

USERNAMES = list(DEMO_USERS)


def test_the_six_roles_are_there():
    assert USERNAMES == [
        "secretariat", "gov-applicant", "company-applicant", "partner", "evaluator", "contractor",
    ]


@pytest.mark.parametrize("username", USERNAMES)
def test_login_form_accepts_each_demo_account(client, demo, username):
    page = client.get("/en/accounts/login/")
    assert page.status_code == 200
    response = client.post(
        "/en/accounts/login/", {"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    home = client.get("/en/")
    assert username in home.content.decode() or DEMO_USERS[username][3] in home.content.decode()


def test_wrong_password_is_refused_with_a_message(client, demo):
    response = client.post("/en/accounts/login/", {"username": "secretariat", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_secretariat_opens_the_admin_in_both_languages(client, demo):
    client.login(request=HttpRequest(), username="secretariat", password=DEMO_PASSWORD)
    en = client.get("/en/admin/")
    assert en.status_code == 200 and "K-City Network administration" in en.content.decode()
    ko = client.get("/ko/admin/")
    assert ko.status_code == 200 and "K-City Network 관리" in ko.content.decode()
    for url in ["/en/admin/programs/cycle/", "/en/admin/programs/track/",
                "/en/admin/accounts/organisation/", "/en/admin/portfolio/selectedproject/",
                "/en/admin/accounts/user/"]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("username", [u for u in USERNAMES if u != "secretariat"])
def test_other_roles_cannot_open_the_admin(client, demo, username):
    client.login(request=HttpRequest(), username=username, password=DEMO_PASSWORD)
    response = client.get("/en/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_demo_load_is_idempotent(demo):
    from kcity.accounts.models import User
    from kcity.programs.models import Cycle
    from kcity.site.demo import load_demo

    again = load_demo()
    assert again == demo
    from kcity.evaluation.demo import DEMO_EXPERTS
    from kcity.selection.demo import APPLICANTS

    # The README's log-ins, the experts and the demo cities and companies of 2027.
    assert User.objects.count() == len(DEMO_USERS) + len(DEMO_EXPERTS) + len(APPLICANTS)
    assert Cycle.objects.count() == demo["cycles"]

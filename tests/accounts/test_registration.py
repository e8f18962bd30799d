"""Applicant registration, verification by the secretariat, and password reset by e-mail."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser

from kcity import permissions
from kcity.accounts import services
from kcity.accounts.models import GovLevel, Organisation, OrgKind, PartnerType, Role, User

PASSWORD = "Seoul-smart-2026!"
GOV_URL = "/en/accounts/register/government/"
COMPANY_URL = "/en/accounts/register/company/"


def person(**extra) -> dict:
    return {
        "first_name": "Linh",
        "last_name": "Tran",
        "email": "linh.tran@danang.gov.vn",
        "username": "linh.tran",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **extra,
    }


def government(**extra) -> dict:
    return {
        "applicant_type": "government",
        "name": "Da Nang City People's Committee",
        "country": "VN",
        "gov_level": "local",
        "city": "Da Nang",
        **person(),
        **extra,
    }


def company(**extra) -> dict:
    return {
        "name": "Saebyeok Mobility Co., Ltd.",
        "name_ko": "새벽모빌리티(주)",
        "business_registration_number": "101-81-12341",
        "city": "Seoul",
        **person(email="jisoo@saebyeok.kr", username="jisoo", first_name="Ji-soo", last_name="Han"),
        **extra,
    }


def counts() -> tuple[int, int]:
    return Organisation.objects.count(), User.objects.count()


def errors(response) -> dict:
    return response.context["form"].errors


@pytest.fixture
def secretariat(demo):
    return User.objects.get(username="secretariat")


# ---- registering each kind ------------------------------------------------------------------


def test_foreign_government_official_registers_and_is_pending(
    demo, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(GOV_URL, government())
    assert response.status_code == 302 and response.url == "/en/accounts/profile/"
    user = User.objects.get(username="linh.tran")
    org = user.organisation
    assert (user.role, user.email, user.preferred_language) == (
        Role.APPLICANT,
        "linh.tran@danang.gov.vn",
        "en",
    )
    assert user.check_password(PASSWORD)
    assert (org.kind, org.gov_level, org.country.code, org.city) == (
        OrgKind.FOREIGN_GOVERNMENT,
        GovLevel.LOCAL,
        "VN",
        "Da Nang",
    )
    assert org.verified_at is None
    assert not permissions.can_apply(user)
    # The new user is logged in and told the organisation awaits verification.
    page = client.get(response.url).content.decode()
    assert "Your organisation is waiting for verification." in page
    # The secretariat hears about it.
    assert [m.to for m in mailoutbox] == [["secretariat@demo.kcitynetwork.kr"]]
    assert "Da Nang City People" in mailoutbox[0].subject


def test_international_organisation_registers_as_a_partner(demo, client):
    data = government(
        applicant_type="international_organisation",
        name="UN-Habitat Viet Nam",
        gov_level="",
        city="",
    )
    assert client.post(GOV_URL, data).status_code == 302
    org = User.objects.get(username="linh.tran").organisation
    assert (org.kind, org.partner_type, org.gov_level) == (
        OrgKind.PARTNER,
        PartnerType.INTERNATIONAL_ORGANISATION,
        "",
    )


def test_central_government_needs_no_city(demo, client):
    data = government(name="Ministry of Construction", gov_level="central", city="")
    assert client.post(GOV_URL, data).status_code == 302


def test_korean_company_registers(demo, client):
    response = client.post(
        "/ko/accounts/register/company/", company(business_registration_number="1018112341")
    )
    assert response.status_code == 302
    user = User.objects.get(username="jisoo")
    org = user.organisation
    assert (org.kind, org.country.code, org.name_ko) == (
        OrgKind.KOREAN_COMPANY,
        "KR",
        "새벽모빌리티(주)",
    )
    assert org.business_registration_number == "101-81-12341"  # written the usual way
    assert user.preferred_language == "ko" and not permissions.can_apply(user)


def test_registration_pages_render_in_both_languages(demo, client):
    for url in ("/en/accounts/register/", GOV_URL, COMPANY_URL):
        assert client.get(url).status_code == 200
    ko = client.get("/ko/accounts/register/company/").content.decode()
    assert "사업자등록번호" in ko
    assert client.get("/en/accounts/register/nonsense/").status_code == 404


# ---- bad input --------------------------------------------------------------------------------


def test_empty_form_names_every_missing_field_and_saves_nothing(demo, client):
    before = counts()
    response = client.post(GOV_URL, {})
    assert response.status_code == 200
    for field in (
        "applicant_type",
        "name",
        "country",
        "first_name",
        "last_name",
        "email",
        "username",
        "password1",
        "password2",
    ):
        assert field in errors(response), field
    assert "This field is required." in response.content.decode()
    assert counts() == before


def test_company_empty_form(demo, client):
    before = counts()
    response = client.post(COMPANY_URL, {})
    assert set(errors(response)) >= {"name", "business_registration_number", "email", "username"}
    assert counts() == before


def test_too_long_values_are_refused(demo, client):
    before = counts()
    response = client.post(GOV_URL, government(name="x" * 201, city="y" * 121, username="u" * 151))
    errs = errors(response)
    assert "at most 200 characters" in errs["name"][0]
    assert "at most 120 characters" in errs["city"][0]
    assert "at most 150 characters" in errs["username"][0]
    assert counts() == before


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("101-81-12342", "wrong check digit"),
        ("1O1-81-12341", "NNN-NN-NNNNN"),
        ("abc-de-fghij", "NNN-NN-NNNNN"),
        ("101-81-1234", "NNN-NN-NNNNN"),
        ("101-81-12341５", "NNN-NN-NNNNN"),  # eleven digits once full-width is read
        ("٠١٠-٨١-١٢٣٤١", "NNN-NN-NNNNN"),  # Arabic-Indic digits are not a Korean number
        ("000-00-00000", "not a business registration number"),
        ("0000000000", "not a business registration number"),
    ],
)
def test_bad_business_registration_number(demo, client, number, message):
    before = counts()
    response = client.post(COMPANY_URL, company(business_registration_number=number))
    assert message in errors(response)["business_registration_number"][0]
    assert counts() == before


def test_a_company_is_not_registered_twice(demo, client):
    before = counts()
    # Hanbit Smart Mobility, a demo company, has 220-81-62517.
    response = client.post(COMPANY_URL, company(business_registration_number="2208162517"))
    message = errors(response)["business_registration_number"][0]
    assert "already registered" in message and "colleague" in message
    assert counts() == before


def test_duplicate_user_name_and_email(demo, client):
    before = counts()
    response = client.post(
        GOV_URL, government(username="Gov-Applicant", email="GOV-APPLICANT@demo.kcitynetwork.kr")
    )
    errs = errors(response)
    assert "taken" in errs["username"][0]
    assert "exists already" in errs["email"][0]
    assert counts() == before


def test_same_government_is_not_registered_twice(demo, client):
    before = counts()
    response = client.post(
        GOV_URL, government(name="hai phong city people's committee", country="VN", city="HAIPHONG")
    )
    assert "already registered" in errors(response)["name"][0]
    assert counts() == before


def test_other_bad_input(demo, client):
    before = counts()
    response = client.post(
        GOV_URL,
        government(
            email="not-an-address",
            username="with space",
            password2="different",
            gov_level="",
            country="KR",
        ),
    )
    errs = errors(response)
    assert "valid email" in errs["email"][0]
    assert "Letters, digits" in " ".join(errs["username"]) or "valid username" in " ".join(
        errs["username"]
    )
    assert errs["password2"] == ["The two passwords differ."]
    assert "valid choice" in errs["country"][0]  # Korea is not a foreign government
    assert counts() == before


def test_weak_password_and_missing_level(demo, client):
    response = client.post(
        GOV_URL, government(password1="12345678", password2="12345678", gov_level="")
    )
    errs = errors(response)
    assert any("too common" in e or "entirely numeric" in e for e in errs["password1"])
    assert errs["gov_level"] == ["Choose the level of your government."]
    response = client.post(GOV_URL, government(gov_level="regional", city=""))
    assert errors(response)["city"] == ["Enter the city or region you govern."]


def test_registration_writes_both_or_nothing(demo, monkeypatch):
    before = counts()

    def fail(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(User, "save", fail)
    with pytest.raises(RuntimeError):
        services.register_applicant(
            kind=OrgKind.FOREIGN_GOVERNMENT,
            organisation={
                "name": "City of Hue",
                "country": "VN",
                "city": "Hue",
                "gov_level": "local",
            },
            person={
                "username": "hue",
                "first_name": "A",
                "last_name": "B",
                "email": "a@hue.gov.vn",
            },
            password=PASSWORD,
        )
    assert counts() == before


def test_service_refuses_kinds_that_cannot_register(demo):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.register_applicant(
            kind=OrgKind.SECRETARIAT,
            organisation={"name": "Fake KIND", "country": "KR", "secretariat_unit": "KIND"},
            person={
                "username": "fake",
                "first_name": "A",
                "last_name": "B",
                "email": "fake@example.com",
            },
            password=PASSWORD,
        )


def test_logged_in_user_is_sent_to_the_profile(demo, client):
    client.force_login(User.objects.get(username="gov-applicant"))
    assert client.get(GOV_URL).url == "/en/accounts/profile/"


# ---- who may apply ---------------------------------------------------------------------------


def test_can_apply(demo):
    assert permissions.can_apply(User.objects.get(username="gov-applicant"))
    assert permissions.can_apply(User.objects.get(username="company-applicant"))
    assert not permissions.can_apply(User.objects.get(username="evaluator"))
    assert not permissions.can_apply(User.objects.get(username="secretariat"))
    assert not permissions.can_apply(AnonymousUser())
    inactive = User.objects.get(username="gov-applicant")
    inactive.is_active = False
    assert not permissions.can_apply(inactive)
    orphan = User(username="orphan", role=Role.APPLICANT, is_active=True)
    assert not permissions.can_apply(orphan)


# ---- verification ------------------------------------------------------------------------------


def register_official(client) -> User:
    assert client.post(GOV_URL, government()).status_code == 302
    client.logout()
    return User.objects.get(username="linh.tran")


def test_verification_lets_the_user_apply_and_tells_them(
    demo, client, secretariat, mailoutbox, django_capture_on_commit_callbacks
):
    user = register_official(client)
    with django_capture_on_commit_callbacks(execute=True):
        count = services.verify_organisations(
            organisations=[user.organisation], by=secretariat, site_url="https://portal.example/"
        )
    assert count == 1
    user.refresh_from_db()
    assert user.organisation.verified_at is not None and permissions.can_apply(user)
    [mail] = mailoutbox
    assert mail.to == ["linh.tran@danang.gov.vn"]
    assert mail.subject == "Your organisation is verified on the K-City Network portal"
    assert "Da Nang City People's Committee" in mail.body  # not HTML-escaped
    assert "https://portal.example/en/calls/" in mail.body
    client.force_login(user)
    page = client.get("/en/accounts/profile/").content.decode()
    assert "you may submit proposals" in page
    # Verifying again changes nothing and sends nothing.
    first = user.organisation.verified_at
    with django_capture_on_commit_callbacks(execute=True):
        assert services.verify_organisations(organisations=[user.organisation], by=secretariat) == 0
    user.organisation.refresh_from_db()
    assert user.organisation.verified_at == first and len(mailoutbox) == 1


def test_verification_mail_speaks_the_users_language(
    demo, client, secretariat, mailoutbox, django_capture_on_commit_callbacks
):
    client.post("/ko/accounts/register/company/", company())
    org = User.objects.get(username="jisoo").organisation
    with django_capture_on_commit_callbacks(execute=True):
        services.verify_organisations(organisations=[org], by=secretariat)
    assert re.search("[\uac00-\ud7a3]", mailoutbox[0].subject)


def test_only_the_secretariat_verifies(demo, client):
    user = register_official(client)
    with pytest.raises(PermissionError):
        services.verify_organisations(
            organisations=[user.organisation], by=User.objects.get(username="gov-applicant")
        )
    user.organisation.refresh_from_db()
    assert user.organisation.verified_at is None
    client.force_login(User.objects.get(username="gov-applicant"))
    assert client.get("/en/accounts/organisations/pending/").status_code == 404
    url = f"/en/accounts/organisations/{user.organisation.pk}/verify/"
    assert client.post(url).status_code == 404
    user.organisation.refresh_from_db()
    assert user.organisation.verified_at is None


def test_admin_action_verifies_and_mails(
    demo, client, secretariat, mailoutbox, django_capture_on_commit_callbacks
):
    user = register_official(client)
    client.force_login(secretariat)
    changelist = "/en/admin/accounts/organisation/"
    assert "Verify the selected organisations" in client.get(changelist).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            changelist,
            {"action": "verify_selected", "_selected_action": [user.organisation.pk]},
            follow=True,
        )
    assert "1 organisation verified" in response.content.decode()
    user.organisation.refresh_from_db()
    assert user.organisation.is_verified
    assert [m.to for m in mailoutbox] == [["linh.tran@danang.gov.vn"]]
    assert "http://testserver/en/calls/" in mailoutbox[0].body


def test_secretariat_page_of_pending_organisations(
    demo, client, secretariat, mailoutbox, django_capture_on_commit_callbacks
):
    user = register_official(client)
    client.force_login(secretariat)
    page = client.get("/en/accounts/organisations/pending/").content.decode()
    assert "Da Nang City People&#x27;s Committee" in page
    assert "Hai Phong" not in page  # verified organisations are not listed
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/accounts/organisations/{user.organisation.pk}/verify/")
    assert response.status_code == 302
    user.organisation.refresh_from_db()
    assert user.organisation.is_verified and len(mailoutbox) == 1
    assert "No organisation is waiting." in client.get(response.url).content.decode()


def test_login_lands_on_the_profile(demo, client):
    response = client.post(
        "/en/accounts/login/", {"username": "gov-applicant", "password": "kcity-demo"}
    )
    assert response.url == "/en/accounts/profile/"
    assert "you may submit proposals" in client.get(response.url).content.decode()


# ---- password reset ----------------------------------------------------------------------------


def test_password_reset_by_email(demo, client, mailoutbox, django_capture_on_commit_callbacks):
    # The e-mail is a job: sent once the request's transaction commits (kcity.jobs).
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/accounts/password-reset/", {"email": "gov-applicant@demo.kcitynetwork.kr"}
        )
    assert response.status_code == 302 and response.url == "/en/accounts/password-reset/sent/"
    [mail] = mailoutbox
    assert mail.to == ["gov-applicant@demo.kcitynetwork.kr"]
    assert mail.subject == "Reset your K-City Network password"
    link = re.search(r"http://testserver(/en/accounts/password-reset/[^/\s]+/[^/\s]+/)", mail.body)
    assert link, mail.body
    # Django swaps the token for a session marker, then shows the form.
    response = client.get(link.group(1))
    assert response.status_code == 302
    form_url = response.url
    assert client.get(form_url).context["validlink"]
    bad = client.post(form_url, {"new_password1": "short", "new_password2": "other"})
    assert bad.status_code == 200 and bad.context["form"].errors
    done = client.post(
        form_url, {"new_password1": "New-Seoul-pass-9", "new_password2": "New-Seoul-pass-9"}
    )
    assert done.url == "/en/accounts/password-reset/done/"
    assert User.objects.get(username="gov-applicant").check_password("New-Seoul-pass-9")
    # The link works once.
    assert not client.get(link.group(1), follow=True).context["validlink"]


def test_password_reset_in_korean_and_for_unknown_addresses(
    demo, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/ko/accounts/password-reset/", {"email": "nobody@example.com"})
    assert response.url == "/ko/accounts/password-reset/sent/"  # says nothing about accounts
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/ko/accounts/password-reset/",
                    {"email": "company-applicant@demo.kcitynetwork.kr"})
    assert "/ko/accounts/password-reset/" in mailoutbox[0].body
    assert re.search("[\uac00-\ud7a3]", mailoutbox[0].subject)
    bad = client.post("/en/accounts/password-reset/", {"email": ""})
    assert "This field is required." in bad.content.decode()

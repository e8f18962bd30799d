"""Values on registration (issue 15, item 5 and 7): blank names, one form of a business
registration number before the uniqueness check, the e-mail local part, and overseas public
institutions and universities registering themselves."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from test_registration import COMPANY_URL, GOV_URL, PASSWORD, company, counts, errors, government

from kcity.accounts import services
from kcity.accounts.models import Organisation, OrgKind, PartnerType, User
from kcity.applications import rules
from kcity.programs.models import Track

INSTITUTION_URL = "/en/accounts/register/institution/"
ZWSP_AND_FILLERS = "\u200b \u3164\u115f\u1160\uffa0\u200c\u200d\u2060\ufeff"


def institution(**extra) -> dict:
    return {
        "partner_type": "university",
        "name": "Institut Teknologi Bandung",
        "country": "ID",
        "city": "Bandung",
        "first_name": "Ayu",
        "last_name": "Pratiwi",
        "email": "ayu@itb.ac.id",
        "username": "ayu",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **extra,
    }


# ---- blank names ----------------------------------------------------------------------------


@pytest.mark.parametrize("url, data", [
    (GOV_URL, government), (COMPANY_URL, company), (INSTITUTION_URL, institution),
])
def test_invisible_names_are_required(demo, client, url, data):
    before = counts()
    response = client.post(url, data(name=ZWSP_AND_FILLERS, first_name="\u3164",
                                     last_name="\u200b\u200b"))
    errs = errors(response)
    for field in ("name", "first_name", "last_name"):
        assert errs[field] == ["This field is required."], field
    assert counts() == before


def test_an_invisible_city_is_no_city(demo, client):
    before = counts()
    response = client.post(GOV_URL, government(gov_level="regional", city="\u3164\u200b"))
    assert errors(response)["city"] == ["Enter the city or region you govern."]
    assert counts() == before
    response = client.post(INSTITUTION_URL, institution(city="\ufeff"))
    assert response.status_code == 302
    assert User.objects.get(username="ayu").organisation.city == ""


def test_the_service_refuses_invisible_names_too(demo):
    with pytest.raises(ValidationError) as exc:
        services.register_applicant(
            kind=OrgKind.FOREIGN_GOVERNMENT,
            organisation={"name": "\u200b\ufeff", "country": "VN", "city": "Hue",
                          "gov_level": "local"},
            person={"username": "hue", "first_name": "\u3164", "last_name": "B",
                    "email": "a@hue.gov.vn"},
            password=PASSWORD,
        )
    assert set(exc.value.message_dict) >= {"name", "first_name"}
    assert not User.objects.filter(username="hue").exists()


# ---- business registration numbers ------------------------------------------------------------


@pytest.mark.parametrize("typed", [
    "2208162517", "220 81 62517", "２２０－８１－６２５１７", "２２０８１６２５１７",
    "220-81-62517 ",
])
def test_the_same_company_is_found_however_its_number_is_written(demo, client, typed):
    # Hanbit Smart Mobility (demo) has 220-81-62517.
    before = counts()
    response = client.post(COMPANY_URL, company(business_registration_number=typed))
    assert "already registered" in errors(response)["business_registration_number"][0]
    assert counts() == before


def test_the_service_normalises_before_the_uniqueness_check(demo):
    with pytest.raises(ValidationError) as exc:
        services.register_applicant(
            kind=OrgKind.KOREAN_COMPANY,
            organisation={"name": "Copy Co.",
                          "business_registration_number": "２２０８１６２５１７"},
            person={"username": "copy", "first_name": "A", "last_name": "B",
                    "email": "copy@example.kr"},
            password=PASSWORD,
        )
    assert "already registered" in exc.value.message_dict["business_registration_number"][0]


def test_full_width_number_is_stored_in_the_one_form(demo, client):
    full_width = "１０１８１１２３４１"
    response = client.post(COMPANY_URL, company(business_registration_number=full_width))
    assert response.status_code == 302
    org = User.objects.get(username="jisoo").organisation
    assert org.business_registration_number == "101-81-12341"


def test_admin_form_normalises_and_finds_the_duplicate(demo, client):
    client.force_login(User.objects.get(username="secretariat"))
    data = {"kind": OrgKind.KOREAN_COMPANY, "name": "Hanbit again", "country": "KR",
            "business_registration_number": "2208162517"}
    response = client.post("/en/admin/accounts/organisation/add/", data)
    assert response.status_code == 200  # the form again, with the error
    form_errors = response.context["adminform"].form.errors
    assert form_errors["__all__"] == [
        "An organisation with this business registration number is already registered."
    ]
    data["business_registration_number"] = "１０１ ８１ １２３４１"
    response = client.post("/en/admin/accounts/organisation/add/", data)
    assert response.status_code == 302
    org = Organisation.objects.get(name="Hanbit again")
    assert org.business_registration_number == "101-81-12341"


def test_the_data_migration_normalises_stored_numbers(demo):
    # Rows written before the rule (update() bypasses the model, as old data did).
    first = Organisation.objects.create(kind=OrgKind.KOREAN_COMPANY, name="Old One",
                                        country="KR")
    second = Organisation.objects.create(kind=OrgKind.KOREAN_COMPANY, name="Old Two",
                                         country="KR")
    third = Organisation.objects.create(kind=OrgKind.KOREAN_COMPANY, name="Old Two again",
                                        country="KR")
    Organisation.objects.filter(pk=first.pk).update(business_registration_number="1018112341")
    Organisation.objects.filter(pk=second.pk).update(
        business_registration_number="１２３－４５－６７８９１")
    Organisation.objects.filter(pk=third.pk).update(
        business_registration_number="123 45 67891")
    migration = importlib.import_module(
        "kcity.accounts.migrations.0002_normalise_business_registration_numbers"
    )
    migration.normalise(apps, None)
    stored = dict(Organisation.objects.filter(pk__in=[first.pk, second.pk, third.pk])
                  .values_list("pk", "business_registration_number"))
    assert stored[first.pk] == "101-81-12341"
    assert stored[second.pk] == "123-45-67891"
    assert stored[third.pk] == "123 45 67891"  # a duplicate is left for the secretariat
    # Demo numbers were already canonical and stay.
    assert Organisation.objects.filter(business_registration_number="220-81-62517").count() == 1


# ---- e-mail local part ----------------------------------------------------------------------


@pytest.mark.parametrize("url, data", [
    (GOV_URL, government), (COMPANY_URL, company), (INSTITUTION_URL, institution),
])
def test_local_part_over_64_is_refused_on_registration(demo, client, url, data):
    before = counts()
    response = client.post(url, data(email="a" * 65 + "@example.org"))
    assert "at most 64 characters" in errors(response)["email"][0]
    assert counts() == before
    assert client.post(url, data(email="a" * 64 + "@example.org")).status_code == 302


def test_the_service_refuses_a_long_local_part(demo):
    with pytest.raises(ValidationError) as exc:
        services.register_applicant(
            kind=OrgKind.FOREIGN_GOVERNMENT,
            organisation={"name": "City of Hue", "country": "VN", "city": "Hue",
                          "gov_level": "local"},
            person={"username": "hue", "first_name": "A", "last_name": "B",
                    "email": "x" * 65 + "@hue.gov.vn"},
            password=PASSWORD,
        )
    assert "at most 64" in exc.value.message_dict["email"][0]


# ---- overseas public institutions and universities ------------------------------------------


@pytest.mark.parametrize("partner_type", [PartnerType.UNIVERSITY, PartnerType.PUBLIC_INSTITUTION])
def test_an_overseas_institution_or_university_registers(demo, client, partner_type):
    response = client.post(INSTITUTION_URL, institution(partner_type=partner_type))
    assert response.status_code == 302
    org = User.objects.get(username="ayu").organisation
    assert (org.kind, org.partner_type, org.country.code, org.verified_at) == (
        OrgKind.PARTNER, partner_type, "ID", None,
    )
    # It joins demonstration consortia; it leads no proposal on any track.
    assert rules.overseas_public_partner(org)
    assert rules.applicant_type(org) is None
    for track in Track.objects.filter(cycle__year=2028):
        assert not rules.may_apply(org, track)


def test_a_verified_institution_is_told_it_joins_consortia(demo, client):
    assert client.post(INSTITUTION_URL, institution()).status_code == 302
    user = User.objects.get(username="ayu")
    services.verify_organisations(organisations=[user.organisation],
                                  by=User.objects.get(username="secretariat"))
    page = client.get("/en/accounts/profile/").content.decode()
    assert "it counts as an overseas partner in the demonstration consortia" in page
    assert "you may submit proposals" not in page
    ko = client.get("/ko/accounts/profile/").content.decode()
    assert "해외 파트너로 인정됩니다" in ko


def test_institution_pages_in_both_languages(demo, client):
    en = client.get(INSTITUTION_URL).content.decode()
    assert "Register an overseas public institution or university" in en
    assert "An overseas university" in en
    ko = client.get("/ko/accounts/register/institution/").content.decode()
    assert "해외 공공기관 또는 대학" in ko
    choice = client.get("/ko/accounts/register/").content.decode()
    assert "/ko/accounts/register/institution/" in choice


def test_institution_bad_input(demo, client):
    before = counts()
    response = client.post(INSTITUTION_URL, institution(country="KR", partner_type="government"))
    errs = errors(response)
    assert "valid choice" in errs["country"][0]  # a Korean body is not an overseas partner
    assert "valid choice" in errs["partner_type"][0]
    response = client.post(INSTITUTION_URL, institution(name="ITB", city="Bandung"))
    assert response.status_code == 302
    client.logout()
    response = client.post(INSTITUTION_URL, institution(name="itb", city="BANDUNG",
                                                        username="ayu2", email="a2@itb.ac.id"))
    assert "already registered" in errors(response)["name"][0]
    assert counts()[0] == before[0] + 1


def test_the_service_keeps_partner_self_registration_to_its_kinds(demo):
    person = {"username": "pt", "first_name": "A", "last_name": "B", "email": "pt@pt.co.id"}
    with pytest.raises(ValidationError) as exc:
        services.register_applicant(
            kind=OrgKind.PARTNER, person=person, password=PASSWORD,
            organisation={"name": "PT Private", "country": "ID",
                          "partner_type": PartnerType.PRIVATE_COMPANY},
        )
    assert "cannot register itself" in exc.value.message_dict["partner_type"][0]
    with pytest.raises(ValidationError) as exc:
        services.register_applicant(
            kind=OrgKind.PARTNER, person=person, password=PASSWORD,
            organisation={"name": "Seoul National University", "country": "KR",
                          "partner_type": PartnerType.UNIVERSITY},
        )
    assert "outside Korea" in exc.value.message_dict["country"][0]
    assert not User.objects.filter(username="pt").exists()


def test_the_model_refuses_a_long_local_part_wherever_an_address_is_entered(demo, client):
    user = User.objects.get(username="partner")
    user.email = "p" * 65 + "@ui.ac.id"
    with pytest.raises(ValidationError) as exc:
        user.full_clean()
    assert "at most 64" in exc.value.message_dict["email"][0]
    # The administration's user page says so and changes nothing.
    client.force_login(User.objects.get(username="secretariat"))
    url = f"/en/admin/accounts/user/{user.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update({"email": "p" * 65 + "@ui.ac.id", "date_joined_0": "2026-01-01",
                 "date_joined_1": "00:00:00", "organisation": user.organisation_id,
                 "groups": [], "user_permissions": []})
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "at most 64" in response.context["adminform"].form.errors["email"][0]
    assert User.objects.get(pk=user.pk).email == "partner@demo.kcitynetwork.kr"

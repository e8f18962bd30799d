"""The shared value rules: blank text, business registration numbers, e-mail local parts."""

import pytest
from django import forms
from django.core.exceptions import ValidationError

from kcity.accounts import forms as accounts_forms
from kcity.applications import forms as application_forms
from kcity.core.text import (
    EMAIL_LOCAL_PART_MAX,
    MailboxField,
    VisibleCharField,
    brn_check_digit,
    is_blank,
    normalise_brn,
    same_mailbox,
    validate_business_registration_number,
    validate_email_local_part,
    validate_not_blank,
)
from kcity.evaluation import forms as evaluation_forms
from kcity.selection import forms as selection_forms

INVISIBLES = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u3164", "\u115f", "\u1160",
              "\uffa0"]


@pytest.mark.parametrize("char", INVISIBLES)
def test_each_invisible_character_alone_or_with_spaces_is_blank(char):
    assert is_blank(char)
    assert is_blank(f" {char}\t{char}\u3000\n")
    assert not is_blank(f"{char}A{char}")


def test_blank_and_visible_text():
    assert is_blank(None) and is_blank("") and is_blank("   ")
    assert not is_blank("스마트 횡단보도") and not is_blank("0") and not is_blank("ㅎ")


def test_the_field_says_required_for_invisible_text():
    class F(forms.Form):
        title = VisibleCharField(max_length=20)
        note = VisibleCharField(max_length=20, required=False)

    form = F({"title": "\u200b\u3164 \ufeff", "note": "\u2060"})
    assert not form.is_valid()
    assert form.errors["title"] == ["This field is required."]
    assert "note" not in form.errors
    form = F({"title": " Real title ", "note": "\u200b"})
    assert form.is_valid()
    assert form.cleaned_data == {"title": "Real title", "note": ""}


def test_model_validator_refuses_invisible_text():
    with pytest.raises(ValidationError) as exc:
        validate_not_blank("\u115f\u1160")
    assert exc.value.messages == ["This field is required."]
    validate_not_blank("K-City")


@pytest.mark.parametrize("typed", [
    "220-81-62517", "2208162517", "220 81 62517", " 220-81-62517 ",
    "２２０－８１－６２５１７", "２２０８１６２５１７", "220\u201081\u201062517",
])
def test_every_way_of_writing_a_number_has_one_form(typed):
    assert normalise_brn(typed) == "220-81-62517"
    validate_business_registration_number(typed)


def test_check_digit_by_the_official_weights():
    # 1,3,7,1,3,7,1,3,5 and floor(d9 * 5 / 10); 220-81-6251|7 and 101-81-1234|1.
    assert brn_check_digit("220816251") == 7
    assert brn_check_digit("101811234") == 1
    for wrong in range(10):
        if wrong != 7:
            with pytest.raises(ValidationError, match="wrong check digit"):
                validate_business_registration_number(f"220-81-6251{wrong}")


@pytest.mark.parametrize(("bad", "message"), [
    ("000-00-00000", "not a business registration number"),
    ("0000000000", "not a business registration number"),
    ("０００－００－０００００", "not a business registration number"),
    ("220-81-625", "NNN-NN-NNNNN"),
    ("220-81-625170", "NNN-NN-NNNNN"),
    ("22O-81-62517", "NNN-NN-NNNNN"),
    ("", "NNN-NN-NNNNN"),
])
def test_bad_numbers(bad, message):
    with pytest.raises(ValidationError, match=message):
        validate_business_registration_number(bad)


def test_email_local_part_at_most_64():
    validate_email_local_part("a" * EMAIL_LOCAL_PART_MAX + "@example.org")
    with pytest.raises(ValidationError, match="at most 64 characters"):
        validate_email_local_part("a" * 65 + "@example.org")

    class F(forms.Form):
        email = MailboxField()

    assert F({"email": "a" * 64 + "@example.org"}).is_valid()
    form = F({"email": "a" * 65 + "@example.org"})
    assert not form.is_valid() and "at most 64 characters" in form.errors["email"][0]


def test_same_mailbox_ignores_case_and_spaces():
    assert same_mailbox("Dewi@UI.ac.id", " dewi@ui.ac.id")
    assert not same_mailbox("dewi@ui.ac.id", "dewi@ui.ac.id.evil.example")
    assert not same_mailbox("", "") and not same_mailbox(None, "a@b.c")


@pytest.mark.parametrize(("form_class", "kwargs", "field"), [
    (accounts_forms.GovernmentRegistrationForm, {}, "name"),
    (accounts_forms.CompanyRegistrationForm, {}, "name"),
    (accounts_forms.InstitutionRegistrationForm, {}, "name"),
    (accounts_forms.PersonForm, {}, "first_name"),
    (accounts_forms.PersonForm, {}, "last_name"),
    (application_forms.InviteForm, {}, "name"),
    (application_forms.ConceptNoteForm, {}, "concept_note"),
    (evaluation_forms.ReplaceForm, {}, "reason"),
    (evaluation_forms.ScheduleForm, {}, "agenda"),
    (evaluation_forms.ScheduleForm, {}, "participants"),
    (evaluation_forms.MinutesForm, {}, "minutes"),
    (selection_forms.ScenarioForm, {"scenarios": None}, "name"),
])
def test_every_required_name_and_text_field_uses_the_one_rule(form_class, kwargs, field):
    form = form_class({field: "\u200b\u3164\ufeff \u115f"}, **kwargs)
    assert isinstance(form.fields[field], VisibleCharField)
    assert not form.is_valid()
    assert form.errors[field] == ["This field is required."]

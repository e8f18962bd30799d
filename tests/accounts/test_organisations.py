import pytest
from django.core.exceptions import ValidationError

from kcity.accounts.models import (
    Organisation,
    OrgKind,
    validate_business_registration_number,
)


@pytest.mark.parametrize(
    "good", ["220-81-62517", "2208162517", "２２０－８１－６２５１７", " 220 81 62517 "]
)
def test_valid_business_registration_number(good):
    validate_business_registration_number(good)


@pytest.mark.parametrize(
    "bad", ["220-81-62518", "abc-de-fghij", "", "220-81-6251", "000-00-00000", "22081625170"]
)
def test_invalid_business_registration_numbers(bad):
    with pytest.raises(ValidationError):
        validate_business_registration_number(bad)


def test_korean_company_needs_registration_number_and_korea(db):
    org = Organisation(kind=OrgKind.KOREAN_COMPANY, name="X", country="VN")
    with pytest.raises(ValidationError) as exc:
        org.full_clean()
    assert "business_registration_number" in exc.value.message_dict
    assert "country" in exc.value.message_dict


def test_foreign_government_needs_its_level(db):
    org = Organisation(kind=OrgKind.FOREIGN_GOVERNMENT, name="City of Hue", country="VN")
    with pytest.raises(ValidationError) as exc:
        org.full_clean()
    assert "gov_level" in exc.value.message_dict
    org.gov_level = "local"
    org.full_clean()

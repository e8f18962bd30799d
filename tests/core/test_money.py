import pytest
from django.utils import translation

from kcity.core.money import format_krw


def test_english_format():
    with translation.override("en"):
        assert format_krw(400_000_000) == "400,000,000 KRW"


def test_korean_units():
    with translation.override("ko"):
        assert format_krw(400_000_000) == "4억 원"
        assert format_krw(450_000_000) == "4억 5,000만 원"
        assert format_krw(4_000_000_000) == "40억 원"
        assert format_krw(0) == "0 원"


def test_money_must_be_integer():
    with pytest.raises(TypeError):
        format_krw(4.5e8)
    with pytest.raises(TypeError):
        format_krw(True)

"""Fixtures of the security tests (the root conftest starts every test in English)."""

import pytest

from kcity.accounts.models import User


@pytest.fixture
def users(demo):
    """The demo's accounts by user name."""
    return {u.username: u for u in User.objects.all()}

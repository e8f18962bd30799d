"""accounts.backends.UserBackend: the user comes with their organisation in one query; a
wrong password is checked once; sessions made under Django's ModelBackend stay valid."""

from unittest import mock

import pytest
from django.contrib.auth import authenticate
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from kcity.accounts.backends import UserBackend
from kcity.accounts.models import Organisation, Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant():
    org = Organisation.objects.create(name="Backend Test Co.")
    return User.objects.create_user("backend-user", "b@example.org", "pw-backend-1",
                                    organisation=org, role=Role.APPLICANT)


def test_the_user_comes_with_the_organisation(applicant):
    with CaptureQueriesContext(connection) as queries:
        user = UserBackend().get_user(applicant.pk)
        assert user.organisation.name == "Backend Test Co."
    assert len(queries) == 1 and "JOIN" in queries[0]["sql"]


def test_a_wrong_password_is_checked_once_and_refused(applicant):
    request = RequestFactory().post("/en/accounts/login/")
    with mock.patch.object(User, "check_password", autospec=True,
                           return_value=False) as check:
        assert authenticate(request, username="backend-user", password="wrong") is None
    assert check.call_count == 1  # Django's ModelBackend, listed after, did not hash again
    user = authenticate(request, username="backend-user", password="pw-backend-1")
    assert user == applicant and user.backend == "kcity.accounts.backends.UserBackend"


def test_a_session_made_under_djangos_backend_still_logs_in(client, applicant):
    client.force_login(applicant, backend="django.contrib.auth.backends.ModelBackend")
    answer = client.get("/en/accounts/profile/")
    assert answer.status_code == 200 and answer.wsgi_request.user == applicant

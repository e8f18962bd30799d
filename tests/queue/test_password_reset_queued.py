"""The password-reset e-mail is a job: the request only records it; the worker sends it."""

import re

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from kcity.accounts.models import User
from kcity.jobs.models import OutboundEmail

# The real worker loop closes a connection left in a transaction: transactional tests.
pytestmark = pytest.mark.django_db(transaction=True)


def test_password_reset_mail_is_queued_not_sent_by_the_request(demo, client, run_worker):
    DBTaskResult.objects.all().delete()
    OutboundEmail.objects.all().delete()
    response = client.post(
        "/ko/accounts/password-reset/", {"email": "gov-applicant@demo.kcitynetwork.kr"}
    )
    assert response.status_code == 302 and response.url == "/ko/accounts/password-reset/sent/"
    assert mail.outbox == []  # nothing sent on the request path
    [email] = OutboundEmail.objects.all()
    assert email.handler == "kcity.accounts.password_reset.send_password_reset_mail"
    assert email.sent_at is None and "token" not in email.params  # no secret waits in a row
    assert DBTaskResult.objects.filter(task_path="kcity.jobs.tasks.deliver_email").count() == 1

    run_worker()
    [sent] = mail.outbox
    assert sent.to == ["gov-applicant@demo.kcitynetwork.kr"]
    assert re.search("[\uac00-\ud7a3]", sent.subject)  # asked from a Korean page
    link = re.search(r"http://testserver(/ko/accounts/password-reset/[^/\s]+/[^/\s]+/)",
                     sent.body)
    assert link, sent.body
    form_url = client.get(link.group(1)).url
    done = client.post(
        form_url, {"new_password1": "New-Seoul-pass-9", "new_password2": "New-Seoul-pass-9"}
    )
    assert done.url == "/ko/accounts/password-reset/done/"
    assert User.objects.get(username="gov-applicant").check_password("New-Seoul-pass-9")
    email.refresh_from_db()
    assert email.sent_at is not None
    run_worker()  # nothing left to do, nothing sent twice
    assert len(mail.outbox) == 1


def test_unknown_address_queues_nothing_and_a_changed_address_gets_nothing(
    demo, client, run_worker
):
    OutboundEmail.objects.all().delete()
    client.post("/en/accounts/password-reset/", {"email": "nobody@example.com"})
    assert not OutboundEmail.objects.exists()
    client.post("/en/accounts/password-reset/", {"email": "company-applicant@demo.kcitynetwork.kr"})
    assert OutboundEmail.objects.count() == 1
    # The address changed before the worker got to it: the link is not sent to the old one.
    User.objects.filter(username="company-applicant").update(email="new@example.org")
    run_worker()
    assert mail.outbox == []
    assert OutboundEmail.objects.get().sent_at is not None  # done, deliberately nothing sent

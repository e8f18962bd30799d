"""The payment ceiling under concurrency, on PostgreSQL: several connections each record a
payment that alone fits but together exceed the ceiling; exactly the ones that fit succeed."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.db.models import QuerySet, Sum

from delivery_world import build_world, pdf
from kcity.core.errors import Refused
from kcity.projects import delivery
from kcity.projects.models import Payment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def accepted_deliverables(world, n):
    out = []
    for i in range(n):
        d = delivery.add_deliverable(project=world["project"], by=world["kind"],
                                     kind="master_plan", title_en=f"D{i}", title_ko=f"산출물{i}",
                                     due_on=dt.date(2031, 5, 1))
        delivery.submit_deliverable(deliverable=d, by=world["contractor"], upload=pdf())
        delivery.review_deliverable(deliverable=d, by=world["kind"], accept=True)
        out.append(d)
    return out


def race(world, deliverables, amount):
    barrier = threading.Barrier(len(deliverables))
    outcomes: list = []

    def pay(d):
        try:
            barrier.wait()
            delivery.record_payment(deliverable=d, by=world["kind"], amount=amount,
                                    paid_on=dt.date(2031, 6, 1))
            outcomes.append("paid")
        except Refused:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay, args=(d,)) for d in deliverables]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_concurrent_payments_never_exceed_the_ceiling(transactional_db):
    assert connection.vendor == "postgresql"
    world = build_world(contract_value=400_000_000, award=500_000_000)
    deliverables = accepted_deliverables(world, 6)
    # Each 150 million fits alone; two fit the contract (300 ≤ 400), three would not.
    outcomes = race(world, deliverables, 150_000_000)
    assert sorted(outcomes) == ["paid"] * 2 + ["refused"] * 4
    total = Payment.objects.aggregate(total=Sum("amount"))["total"]
    assert total == 300_000_000 <= world["project"].payable_ceiling


def test_the_trigger_alone_holds_under_concurrency(transactional_db, monkeypatch):
    """With the service's own sum taken away, the database trigger still refuses."""
    world = build_world(contract_value=400_000_000, award=500_000_000)
    deliverables = accepted_deliverables(world, 5)
    original = QuerySet.aggregate

    def blind(self, *args, **kwargs):
        if self.model is Payment and "total" in kwargs:
            return {"total": 0}
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "aggregate", blind)
    outcomes = race(world, deliverables, 150_000_000)
    monkeypatch.setattr(QuerySet, "aggregate", original)
    assert sorted(outcomes) == ["paid"] * 2 + ["refused"] * 3
    assert Payment.objects.aggregate(total=Sum("amount"))["total"] == 300_000_000

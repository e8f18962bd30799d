"""What only PostgreSQL shows: real constraint enforcement under concurrency, big integers."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from kcity.accounts.models import Organisation, OrgKind
from kcity.programs.models import Cycle

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_running_on_postgresql():
    assert connection.vendor == "postgresql"


def test_money_beyond_32_bits_round_trips():
    cycle = Cycle.objects.create(year=2090, title_en="x", title_ko="x",
                                 total_budget=9_000_000_000_000)
    assert Cycle.objects.get(pk=cycle.pk).total_budget == 9_000_000_000_000


def test_business_registration_number_is_unique_under_concurrency():
    """Two registrations of the same company racing: the partial unique index keeps one."""
    barrier = threading.Barrier(2)
    outcomes = []

    def register():
        from django.db import connections

        try:
            barrier.wait()
            with transaction.atomic():
                Organisation.objects.create(
                    kind=OrgKind.KOREAN_COMPANY, name="Racing Co.", country="KR",
                    business_registration_number="220-81-62517",
                )
            outcomes.append("created")
        except IntegrityError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["created", "refused"]
    assert Organisation.objects.filter(business_registration_number="220-81-62517").count() == 1

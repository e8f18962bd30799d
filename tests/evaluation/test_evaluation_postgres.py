"""What only PostgreSQL shows: two bookings racing for overlapping presentation slots on
one panel; the panel's row lock lets exactly one through."""

import datetime as dt
import threading

import pytest
from django.db import connections

from kcity.accounts.models import Organisation, OrgKind, Role, User
from kcity.applications.models import Proposal
from kcity.core.errors import Refused
from kcity.evaluation import presentations
from kcity.evaluation.forms import KST
from kcity.evaluation.models import Panel, PresentationSlot
from kcity.programs.models import Cycle, Track

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_racing_bookings_never_overlap():
    molit = Organisation.objects.create(kind=OrgKind.SECRETARIAT, name="MOLIT", country="KR",
                                        secretariat_unit="MOLIT")
    staff = User.objects.create_user("staff", "s@example.org", "pw-staff-123",
                                     role=Role.SECRETARIAT, organisation=molit)
    company = Organisation.objects.create(kind=OrgKind.KOREAN_COMPANY, name="Co", country="KR")
    cycle = Cycle.objects.create(year=2091, title_en="x", title_ko="x")
    track = Track.objects.create(cycle=cycle, code="DEMO", kind="demonstration", name_en="D",
                                 name_ko="D", applicant_types=["korean_company"],
                                 stages=["paper_review", "presentation"], secretariat="KAIA")
    panel = Panel.objects.create(track=track, stage="presentation", size=1)
    proposals = [Proposal.objects.create(cycle=cycle, track=track, organisation=company,
                                         created_by=staff, title=f"P{i}", state="under_evaluation")
                 for i in range(2)]
    panel.proposals.set(proposals)
    start = dt.datetime(2091, 6, 1, 10, 0, tzinfo=KST)
    barrier = threading.Barrier(2)
    outcomes = []

    def book(proposal, minutes_later):
        try:
            barrier.wait()
            presentations.book_slot(by=staff, panel=panel, proposal=proposal,
                                    starts_at=start + dt.timedelta(minutes=minutes_later),
                                    minutes=30, presenters="A")
            outcomes.append("booked")
        except Refused as exc:
            outcomes.append("overlap" if "overlaps" in str(exc.messages) else str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(p, 10 * i)) for i, p in enumerate(proposals)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["booked", "overlap"]
    assert PresentationSlot.objects.filter(panel=panel).count() == 1

"""Results announced per cycle: every closed panel of the cycle released at once (audited,
idempotent); the applicant reads its summary only after the release."""

import pytest

from kcity.accounts.models import Organisation, Role, User
from kcity.applications.models import Proposal
from kcity.core.errors import Refused
from kcity.evaluation import services
from kcity.evaluation.models import EvaluationEvent, Panel
from kcity.programs.models import Cycle

BANDUNG = "AI bus priority for Bandung"


@pytest.fixture
def unreleased(closed_panel):
    """The demo's closed paper panel as it was before the announcement."""
    Panel.objects.filter(pk=closed_panel.pk).update(results_released=False)
    EvaluationEvent.objects.filter(panel=closed_panel, action="results_released").delete()
    return Panel.objects.get(pk=closed_panel.pk)


def test_cycle_release_opens_the_summaries(client, users, unreleased, open_panel):
    bandung = Proposal.objects.get(title=BANDUNG)
    summary = f"/en/evaluation/panels/{unreleased.pk}/proposals/{bandung.pk}/summary/"
    client.force_login(users["company-applicant"])
    assert client.get(summary).status_code == 404
    assert summary not in client.get("/en/evaluation/").content.decode()

    cycle = Cycle.objects.get(year=2028)
    released = services.release_cycle_results(by=users["secretariat"], cycle=cycle)
    assert released == [unreleased]
    assert Panel.objects.get(pk=unreleased.pk).results_released
    assert not Panel.objects.get(pk=open_panel.pk).results_released  # still open
    assert client.get(summary).status_code == 200
    assert summary in client.get("/en/evaluation/").content.decode()
    assert EvaluationEvent.objects.filter(panel=unreleased, action="results_released",
                                          detail__cycle=2028).count() == 1
    event = EvaluationEvent.objects.get(action="cycle_results_released", detail__cycle=2028)
    assert event.actor == users["secretariat"]
    assert event.detail == {"cycle": 2028, "panels": [unreleased.pk],
                            "still_open": [open_panel.pk]}

    # Idempotent: nothing more to release, nothing written.
    count = EvaluationEvent.objects.count()
    assert services.release_cycle_results(by=users["secretariat"], cycle=cycle) == []
    assert EvaluationEvent.objects.count() == count


def test_only_a_secretariat_running_every_track_announces(users, unreleased):
    kind = User.objects.create_user(
        "kind-staff", "k@example.org", "pw-kind-123", role=Role.SECRETARIAT,
        organisation=Organisation.objects.get(secretariat_unit="KIND"))
    cycle = Cycle.objects.get(year=2028)
    for actor in (kind, users["company-applicant"], users["evaluator"]):
        with pytest.raises(Refused, match="every track of the cycle"):
            services.release_cycle_results(by=actor, cycle=cycle)
    assert not Panel.objects.get(pk=unreleased.pk).results_released
    assert not EvaluationEvent.objects.filter(action="cycle_results_released",
                                              detail__cycle=2028).exists()


def test_a_cycle_without_closed_panels_releases_nothing(users, demo):
    cycle = Cycle.objects.get(year=2023)
    assert not Panel.objects.filter(track__cycle=cycle, status="closed").exists()
    count = EvaluationEvent.objects.count()
    assert services.release_cycle_results(by=users["secretariat"], cycle=cycle) == []
    assert EvaluationEvent.objects.count() == count

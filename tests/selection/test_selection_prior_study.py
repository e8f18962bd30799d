"""Issue 15 item 9: a demonstration proposal cites an earlier K-City study, a portfolio
project (else a link), and the selection's `prior_planning` (and so its bonus) comes from it."""

from decimal import Decimal

import pytest
from selection_fixtures import *  # noqa: F403

from kcity.applications.models import Proposal
from kcity.portfolio.models import SelectedProject
from kcity.selection import building, selectors, services

M = 1_000_000


@pytest.fixture
def study(world):
    return SelectedProject.objects.create(
        year=2021, track_kind="planning", programme="city_development", city="Hanoi",
        country="VN", title="Hanoi smart city basic plan")


def _entry(round, proposal):
    return next(p for p in round.instance["proposals"] if p["id"] == str(proposal.pk))


def test_a_demonstration_citing_a_portfolio_study_earns_the_bonus(staff, cycle, study):
    hanoi = Proposal.objects.get(cycle=cycle, title__startswith="AI traffic signals for Hanoi")
    assert hanoi.track.kind == "demonstration" and not hanoi.cites_prior_study()
    before = services.create_round(by=staff, cycle=cycle, budget=4_200 * M, bonus_prior_planning=1)
    assert _entry(before, hanoi)["prior_planning"] is False

    Proposal.objects.filter(pk=hanoi.pk).update(prior_study_project=study)
    hanoi.refresh_from_db()
    assert hanoi.cites_prior_study()
    instance, _skipped = building.build_instance(cycle, bonus_prior_planning=1)
    entry = next(p for p in instance["proposals"] if p["id"] == str(hanoi.pk))
    assert entry["prior_planning"] is True
    after = services.create_round(by=staff, cycle=cycle, budget=4_200 * M, bonus_prior_planning=1)
    assert _entry(after, hanoi)["prior_planning"] is True
    assert after.instance["bonus"]["prior_planning"] == 1
    assert selectors.merits(after.instance)[str(hanoi.pk)] == (
        selectors.merits(before.instance)[str(hanoi.pk)] + Decimal(1))


def test_a_link_is_the_fallback_and_neither_gives_no_bonus(staff, cycle, study):
    hanoi = Proposal.objects.get(cycle=cycle, title__startswith="AI traffic signals for Hanoi")
    Proposal.objects.filter(pk=hanoi.pk).update(
        prior_study_url="https://example.org/hanoi-study", prior_study_project=None)
    linked = services.create_round(by=staff, cycle=cycle, budget=4_200 * M)
    assert _entry(linked, hanoi)["prior_planning"] is True
    Proposal.objects.filter(pk=hanoi.pk).update(prior_study_url="")
    none = services.create_round(by=staff, cycle=cycle, budget=4_200 * M)
    assert _entry(none, hanoi)["prior_planning"] is False
    # a portfolio project that leaves the portfolio takes the citation with it (SET_NULL)
    Proposal.objects.filter(pk=hanoi.pk).update(prior_study_project=study)
    study.delete()
    hanoi.refresh_from_db()
    assert hanoi.prior_study_project_id is None and not hanoi.cites_prior_study()

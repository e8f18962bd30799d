"""Who may see a proposal is decided in one place (`permissions.visible_proposals`, and its
one-proposal form `permissions.visible_proposal`): the evaluation pages' lookup gives the
same answer for every user and proposal; the proposal states a panel takes are defined once."""

from kcity.accounts import permissions
from kcity.applications.models import Proposal
from kcity.evaluation import consultations, models, selectors, services


def test_the_evaluation_lookup_is_the_permissions_rule(users):
    pks = list(Proposal.objects.values_list("pk", flat=True))
    for user in users.values():
        for pk in pks:
            expected = permissions.visible_proposals(user).filter(pk=pk).first()
            assert selectors.visible_proposal(user, pk) == expected, (user, pk)
    assert selectors.visible_proposal(users["secretariat"], "not-a-number") is None


def test_the_panel_states_are_defined_once():
    assert services.PANEL_STATES is models.PANEL_STATES
    assert consultations.PANEL_STATES is models.PANEL_STATES
    assert set(models.PANEL_STATES) <= set(selectors.FOLLOWED_STATES)
    assert not hasattr(selectors, "PANEL_STATES") or selectors.PANEL_STATES is models.PANEL_STATES


def test_the_one_proposal_form_follows_the_rule_for_a_superuser_applicant(users):
    """A superuser is secretariat first: with an applicant role and organisation but no
    secretariat unit, `visible_proposals` finds none of the organisation's proposals, and
    the one-proposal form's shortcut must not find them either."""
    user = users["gov-applicant"]
    pk = Proposal.objects.filter(organisation_id=user.organisation_id).values_list(
        "pk", flat=True).first()
    assert permissions.visible_proposal(user, pk) is not None
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    expected = permissions.visible_proposals(user).filter(pk=pk).first()
    assert permissions.visible_proposal(user, pk) == expected
    assert selectors.visible_proposal(user, pk) == expected

"""Issue 17 item 6: the demo's projects, moved through the services."""

from kcity.accounts.models import User
from kcity.applications.models import Proposal
from kcity.permissions import visible_projects
from kcity.programs.models import TrackKind
from kcity.projects.lifecycle import framework_signed
from kcity.projects.models import FollowOnKind, Project
from kcity.projects.models import ProjectState as P
from kcity.projects.selectors import credited_by_follow_on


def test_the_demo_projects(demo):
    projects = Project.objects.filter(proposal__cycle__year=2027)
    selected = Proposal.objects.filter(cycle__year=2027, state="selected")
    assert projects.count() == selected.count() >= 3
    waiting = Project.objects.get(pk=demo["project_waiting"])
    running = Project.objects.get(pk=demo["project_running"])
    done = Project.objects.get(pk=demo["project_done"])
    assert waiting.state == P.AGREEMENT_PENDING
    parties = list(waiting.framework_parties.all())
    assert any(p.signed for p in parties) and not all(p.signed for p in parties)
    assert running.state == P.IN_PROGRESS and framework_signed(running)
    assert running.trainings.exists()
    contractor = User.objects.get(username="contractor")
    assert running.contractor == contractor.organisation
    seen = set(visible_projects(contractor).values_list("pk", flat=True))
    assert running.pk in seen and waiting.pk not in seen
    assert done.state == P.COMPLETED and done.rating == "good"
    follow = done.follow_ons.get(kind=FollowOnKind.DEMONSTRATION_PROPOSAL)
    assert follow.proposal.cycle.year == 2028
    assert follow.proposal.track.kind == TrackKind.DEMONSTRATION
    assert follow.proposal.pk in credited_by_follow_on([follow.proposal.pk])

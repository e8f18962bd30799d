"""The public call pages: the list of calls and each cycle's notice."""

from django.shortcuts import get_object_or_404, render

from kcity.applications.selectors import tracks_open_to
from kcity.permissions import can_apply
from kcity.programs import selectors


def call_list(request):
    return render(
        request,
        "programs/call_list.html",
        {"groups": selectors.public_calls(request.user)},
    )


def call_detail(request, year: int):
    cycle = get_object_or_404(selectors.published_cycle(request.user, year))
    may_apply = can_apply(request.user)
    return render(
        request,
        "programs/call_detail.html",
        {
            "cycle": cycle,
            "tracks": selectors.cycle_notice(cycle),
            "may_apply": may_apply,
            # The tracks this applicant may start a proposal on now, for the "Start" links.
            "startable": set(
                tracks_open_to(request.user).filter(cycle=cycle).values_list("pk", flat=True)
            ) if may_apply else set(),
        },
    )

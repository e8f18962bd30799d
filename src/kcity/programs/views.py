"""The public call pages: the list of calls and each cycle's notice."""

from django.shortcuts import get_object_or_404, render

from kcity.accounts.permissions import can_apply
from kcity.programs import selectors


def call_list(request):
    return render(
        request,
        "programs/call_list.html",
        {"groups": selectors.public_calls(request.user)},
    )


def call_detail(request, year: int):
    cycle = get_object_or_404(selectors.published_cycle(request.user, year))
    return render(
        request,
        "programs/call_detail.html",
        {
            "cycle": cycle,
            "tracks": selectors.cycle_notice(cycle),
            "may_apply": can_apply(request.user),
        },
    )

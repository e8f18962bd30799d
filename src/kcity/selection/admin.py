"""The administration lists the selection records read-only: rounds, scenarios and outcomes
change only through the selection pages (the services), so an approved scenario stays
frozen. Each secretariat unit sees the rounds of the cycles whose selection it runs
(`permissions.selection_cycles`)."""

from django.contrib import admin

from kcity import permissions
from kcity.core.admin import ReadOnly
from kcity.selection.models import Outcome, Scenario, SelectionEvent, SelectionRound


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    cycle_path = "round__cycle"

    def get_queryset(self, request):
        cycles = permissions.selection_cycles(request.user).values("pk")
        return super().get_queryset(request).filter(**{f"{self.cycle_path}__in": cycles})


@admin.register(SelectionRound)
class SelectionRoundAdmin(ReadOnlyAdmin):
    cycle_path = "cycle"
    list_display = ["__str__", "cycle", "source", "created_by", "created_at", "published_at"]
    list_filter = ["cycle"]


@admin.register(Scenario)
class ScenarioAdmin(ReadOnlyAdmin):
    list_display = ["name", "round", "kind", "policy", "approved_by", "approved_at",
                    "published_at"]
    list_filter = ["kind", "policy"]


@admin.register(Outcome)
class OutcomeAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "round", "outcome", "reserve_rank", "award"]
    list_filter = ["outcome", "round__cycle"]


@admin.register(SelectionEvent)
class SelectionEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "actor", "round", "scenario"]
    list_filter = ["action"]

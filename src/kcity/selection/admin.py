"""The administration lists the selection records read-only: rounds, scenarios and outcomes
change only through the selection pages (the services), so an approved scenario stays
frozen."""

from django.contrib import admin

from kcity import permissions
from kcity.selection.models import Outcome, Scenario, SelectionEvent, SelectionRound


class ReadOnlyAdmin(admin.ModelAdmin):
    """Read-only, and only the rounds of the cycles whose selection the officer runs
    (`permissions.selection_cycles`: MOLIT's); `cycle_path` leads from the record to its
    cycle."""

    cycle_path = "round__cycle"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(
            **{f"{self.cycle_path}__in": permissions.selection_cycles(request.user)})

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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

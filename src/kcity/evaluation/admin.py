"""The administration lists the evaluation records; scores, panels and conflicts change only
through the evaluation pages (the services), so those records are read-only here. Each
secretariat unit sees the records of the tracks it manages (`permissions.managed_tracks`)."""

from django.contrib import admin
from django.db.models import Q

from kcity import permissions
from kcity.core.admin import ReadOnly
from kcity.evaluation.models import (
    ConflictDeclaration,
    ConsultationRound,
    EvaluationEvent,
    ExpertProfile,
    Panel,
    PanelMember,
    PresentationSlot,
)


def _tracks(request):
    return permissions.managed_tracks(request.user).values("pk")


@admin.register(ExpertProfile)
class ExpertProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "fields", "countries", "languages"]
    raw_id_fields = ["user"]


class MemberInline(admin.TabularInline):
    model = PanelMember
    extra = 0
    fields = ["evaluator", "active", "added_at", "removed_at", "replacement_reason"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Panel)
class PanelAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["track", "stage", "size", "seed", "status", "results_released"]
    list_filter = ["status", "stage"]
    readonly_fields = ["track", "stage", "size", "seed", "status", "closed_at", "results_released"]
    inlines = [MemberInline]
    filter_horizontal = ["proposals"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(track__in=_tracks(request))
    # Read-only: drawn, replaced and closed on the evaluation pages (audited).


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["evaluator", "proposal", "has_conflict", "declared_at"]
    readonly_fields = ["evaluator", "proposal", "has_conflict", "reason", "declared_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(proposal__track__in=_tracks(request))


@admin.register(EvaluationEvent)
class EvaluationEventAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["at", "action", "actor", "panel", "proposal"]
    list_filter = ["action"]
    readonly_fields = ["at", "action", "actor", "panel", "proposal", "detail"]

    def get_queryset(self, request):
        tracks = _tracks(request)
        return super().get_queryset(request).filter(
            Q(panel__track__in=tracks) | Q(proposal__track__in=tracks))


class _ThroughThePages(ReadOnly, admin.ModelAdmin):
    """Consultations and presentations are scheduled on the evaluation pages (audited, with
    the round order and the no-overlap rule): read-only here."""

    def get_queryset(self, request):
        return super().get_queryset(request).filter(proposal__track__in=_tracks(request))


@admin.register(ConsultationRound)
class ConsultationRoundAdmin(_ThroughThePages):
    list_display = ["proposal", "round", "scheduled_at"]
    raw_id_fields = ["proposal"]


@admin.register(PresentationSlot)
class PresentationSlotAdmin(_ThroughThePages):
    list_display = ["proposal", "panel", "starts_at", "minutes"]
    raw_id_fields = ["proposal"]

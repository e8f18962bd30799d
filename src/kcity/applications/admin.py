"""The administration shows proposals and their records; state changes go through the
screening pages (the lifecycle service), so the state is read-only here. An officer finds only
the records of the tracks its unit runs (`TracksOfTheUnit`), as on the portal's pages."""

from django.contrib import admin

from kcity import permissions
from kcity.applications.models import (
    ConsortiumMember,
    Document,
    PreConsultation,
    Proposal,
    ProposalEvent,
    Submission,
)


class TracksOfTheUnit(admin.ModelAdmin):
    """The records of the tracks the officer's unit runs (`permissions.managed_tracks`): a
    KIND officer finds no demonstration proposal here, nor picks one in a form, and a KAIA
    officer no planning one; MOLIT finds every track's. `track_path` leads from the record to
    its track."""

    track_path = "proposal__track"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(
            **{f"{self.track_path}__in": permissions.managed_tracks(request.user)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "proposal":
            kwargs["queryset"] = permissions.managed_proposals(request.user)
        elif db_field.name == "track":
            kwargs["queryset"] = permissions.managed_tracks(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "proposals":
            kwargs["queryset"] = permissions.managed_proposals(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class MemberInline(admin.TabularInline):
    model = ConsortiumMember
    extra = 0
    fields = ["invited_name", "email", "role", "organisation", "confirmed_at", "declined_at"]
    readonly_fields = ["confirmed_at", "declined_at"]


class DocumentInline(admin.TabularInline):
    model = Document
    extra = 0
    fields = ["code", "original_name", "detected_type", "has_javascript", "size", "sha256",
              "uploaded_at"]
    readonly_fields = fields
    can_delete = False


class EventInline(admin.TabularInline):
    model = ProposalEvent
    extra = 0
    fields = ["at", "actor", "from_state", "to_state", "reason"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Proposal)
class ProposalAdmin(TracksOfTheUnit):
    track_path = "track"
    list_display = ["title", "track", "organisation", "state", "updated_at"]
    list_filter = ["state", "track__cycle", "track__kind"]
    search_fields = ["title", "city", "organisation__name"]
    readonly_fields = ["state", "jurisdiction", "created_by", "created_at", "updated_at"]
    inlines = [MemberInline, DocumentInline, EventInline]


@admin.register(ConsortiumMember)
class ConsortiumMemberAdmin(TracksOfTheUnit):
    list_display = ["invited_name", "proposal", "role", "organisation", "confirmed_at"]
    readonly_fields = ["token"]


@admin.register(Document)
class DocumentAdmin(TracksOfTheUnit):
    list_display = ["original_name", "proposal", "code", "detected_type", "size", "uploaded_at"]
    readonly_fields = ["sha256", "size", "detected_type", "content_type"]


@admin.register(ProposalEvent)
class ProposalEventAdmin(TracksOfTheUnit):
    list_display = ["proposal", "from_state", "to_state", "actor", "at"]
    list_filter = ["to_state"]

    def has_change_permission(self, request, obj=None):
        return False  # the audit trail is not edited


@admin.register(PreConsultation)
class PreConsultationAdmin(TracksOfTheUnit):
    list_display = ["proposal", "outcome", "submitted_at", "decided_at"]
    list_filter = ["outcome"]


@admin.register(Submission)
class SubmissionAdmin(TracksOfTheUnit):
    list_display = ["receipt_number", "proposal", "submitted_at", "rolled_over_from"]
    search_fields = ["receipt_number"]
    readonly_fields = ["idempotency_key", "receipt_number", "content_sha256", "snapshot"]

    def has_change_permission(self, request, obj=None):
        return False  # a receipt is never changed

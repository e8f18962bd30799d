"""The administration shows proposals and their records; state changes go through the
screening pages (the lifecycle service), so the state is read-only here."""

from django.contrib import admin

from kcity.applications.models import (
    ConsortiumMember,
    Document,
    PreConsultation,
    Proposal,
    ProposalEvent,
    Submission,
)


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
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "track", "organisation", "state", "updated_at"]
    list_filter = ["state", "track__cycle", "track__kind"]
    search_fields = ["title", "city", "organisation__name"]
    readonly_fields = ["state", "jurisdiction", "created_by", "created_at", "updated_at"]
    inlines = [MemberInline, DocumentInline, EventInline]


@admin.register(ConsortiumMember)
class ConsortiumMemberAdmin(admin.ModelAdmin):
    list_display = ["invited_name", "proposal", "role", "organisation", "confirmed_at"]
    readonly_fields = ["token"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "proposal", "code", "detected_type", "size", "uploaded_at"]
    readonly_fields = ["sha256", "size", "detected_type", "content_type"]


@admin.register(ProposalEvent)
class ProposalEventAdmin(admin.ModelAdmin):
    list_display = ["proposal", "from_state", "to_state", "actor", "at"]
    list_filter = ["to_state"]

    def has_change_permission(self, request, obj=None):
        return False  # the audit trail is not edited


@admin.register(PreConsultation)
class PreConsultationAdmin(admin.ModelAdmin):
    list_display = ["proposal", "outcome", "submitted_at", "decided_at"]
    list_filter = ["outcome"]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["receipt_number", "proposal", "submitted_at", "rolled_over_from"]
    search_fields = ["receipt_number"]
    readonly_fields = ["idempotency_key", "receipt_number", "content_sha256", "snapshot"]

    def has_change_permission(self, request, obj=None):
        return False  # a receipt is never changed

"""The administration shows proposals and their records, read-only: the applicant's content,
the stored documents and receipts change only through the portal's pages (the services),
states only through the lifecycle (the screening pages). Each secretariat unit sees the
proposals of the tracks it manages (`permissions.managed_proposals`): KAIA never sees
KIND's planning proposals, nor KIND KAIA's demonstrations."""

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
from kcity.core.admin import ReadOnly


class ScopedToManagedProposals:
    """Only the rows of proposals the user's secretariat unit manages."""

    proposal_path = "proposal"

    def get_queryset(self, request):
        managed = permissions.managed_proposals(request.user).values("pk")
        return super().get_queryset(request).filter(**{f"{self.proposal_path}__in": managed})


class MemberInline(ReadOnly, admin.TabularInline):
    model = ConsortiumMember
    extra = 0
    fields = ["invited_name", "email", "role", "organisation", "confirmed_at", "declined_at"]
    readonly_fields = fields


class DocumentInline(ReadOnly, admin.TabularInline):
    model = Document
    extra = 0
    fields = ["code", "original_name", "detected_type", "has_javascript", "size", "sha256",
              "uploaded_at"]
    readonly_fields = fields


class EventInline(ReadOnly, admin.TabularInline):
    model = ProposalEvent
    extra = 0
    fields = ["at", "actor", "from_state", "to_state", "reason"]
    readonly_fields = fields


@admin.register(Proposal)
class ProposalAdmin(ScopedToManagedProposals, ReadOnly, admin.ModelAdmin):
    proposal_path = "pk"
    list_display = ["title", "track", "organisation", "state", "updated_at"]
    list_filter = ["state", "track__cycle", "track__kind"]
    search_fields = ["title", "city", "organisation__name"]
    inlines = [MemberInline, DocumentInline, EventInline]


@admin.register(ConsortiumMember)
class ConsortiumMemberAdmin(ScopedToManagedProposals, ReadOnly, admin.ModelAdmin):
    list_display = ["invited_name", "proposal", "role", "organisation", "confirmed_at"]
    exclude = ["token"]


@admin.register(Document)
class DocumentAdmin(ScopedToManagedProposals, ReadOnly, admin.ModelAdmin):
    list_display = ["original_name", "proposal", "code", "detected_type", "size", "uploaded_at"]


@admin.register(ProposalEvent)
class ProposalEventAdmin(ScopedToManagedProposals, ReadOnly, admin.ModelAdmin):
    list_display = ["proposal", "from_state", "to_state", "actor", "at"]
    list_filter = ["to_state"]


@admin.register(PreConsultation)
class PreConsultationAdmin(ScopedToManagedProposals, ReadOnly, admin.ModelAdmin):
    """Concept notes are answered on the screening pages."""

    list_display = ["proposal", "outcome", "submitted_at", "decided_at"]
    list_filter = ["outcome"]


@admin.register(Submission)
class SubmissionAdmin(ScopedToManagedProposals, ReadOnly, admin.ModelAdmin):
    list_display = ["receipt_number", "proposal", "submitted_at", "rolled_over_from"]
    search_fields = ["receipt_number"]
    exclude = ["idempotency_key"]

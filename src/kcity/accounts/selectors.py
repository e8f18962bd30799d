"""Reads for the accounts pages."""

from django.db.models import Count, QuerySet

from kcity.accounts.models import Organisation
from kcity.accounts.services import SELF_REGISTERED_KINDS


def pending_organisations() -> QuerySet:
    """Applicant organisations still waiting for the secretariat, oldest first."""
    return (
        Organisation.objects.filter(verified_at__isnull=True, kind__in=SELF_REGISTERED_KINDS)
        .annotate(member_count=Count("members"))
        .prefetch_related("members")
        .order_by("created_at", "pk")
    )

"""The track rules, enforced on the server whatever the browser sent.

Each function answers from the track's configuration (who may apply, grant range, labour
cap, required documents, deadlines in KST, pre-consultation); none of a year's numbers are
written here.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kcity.accounts.models import OrgKind, PartnerType
from kcity.applications.errors import Refused
from kcity.applications.models import CostCategory, Outcome
from kcity.core.money import format_krw
from kcity.programs.models import (
    ApplicantType,
    Cycle,
    CycleStatus,
    IntakeMode,
    Stage,
    Track,
    TrackKind,
)

CONSORTIUM_PARTNER_TYPES = {
    PartnerType.GOVERNMENT,
    PartnerType.PUBLIC_INSTITUTION,
    PartnerType.UNIVERSITY,
}


def applicant_type(org) -> str | None:
    """The applicant type an organisation counts as, in the terms of Track.applicant_types."""
    if org is None:
        return None
    if org.kind == OrgKind.FOREIGN_GOVERNMENT:
        return ApplicantType.FOREIGN_GOVERNMENT
    if org.kind == OrgKind.PARTNER and org.partner_type == PartnerType.INTERNATIONAL_ORGANISATION:
        return ApplicantType.INTERNATIONAL_ORGANISATION
    if org.kind == OrgKind.KOREAN_COMPANY:
        return ApplicantType.KOREAN_COMPANY
    return None


def may_apply(org, track) -> bool:
    return applicant_type(org) in (track.applicant_types or [])


def check_may_apply(org, track) -> None:
    if not may_apply(org, track):
        raise Refused(
            _("%(org)s cannot apply to %(track)s: this track is open to %(who)s.")
            % {"org": org, "track": track.name, "who": ", ".join(track.applicant_type_labels())}
        )


def kst(moment) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i:s") + " KST"


def track_has_opened(track, now=None) -> bool:
    now = now or timezone.now()
    return track.cycle.status == CycleStatus.OPEN and (
        track.opens_at is None or track.opens_at <= now
    )


def accepting_submissions(track, now=None) -> bool:
    """A fixed window takes submissions up to and including its deadline; a year-round track
    always does (after the cut-off they go into the next cycle)."""
    now = now or timezone.now()
    if track.intake_mode == IntakeMode.YEAR_ROUND:
        return True
    return track.deadline is not None and now <= track.deadline


def check_open_for_new_proposals(track, now=None) -> None:
    now = now or timezone.now()
    if not track_has_opened(track, now):
        raise Refused(_("The call for %(track)s is not open.") % {"track": track.name})
    if not accepting_submissions(track, now):
        raise Refused(deadline_passed_message(track))


def deadline_passed_message(track) -> str:
    return _(
        "The deadline for %(track)s was %(deadline)s; submissions are no longer accepted."
    ) % {"track": track.name, "deadline": kst(track.deadline)}


def check_deadline(track, now=None) -> None:
    now = now or timezone.now()
    if not track_has_opened(track, now):
        raise Refused(_("The call for %(track)s is not open.") % {"track": track.name})
    if not accepting_submissions(track, now):
        raise Refused(deadline_passed_message(track))


def after_cutoff(track, now=None) -> bool:
    now = now or timezone.now()
    return (
        track.intake_mode == IntakeMode.YEAR_ROUND
        and track.cutoff is not None
        and now > track.cutoff
    )


def needs_pre_consultation(track) -> bool:
    return track.intake_mode == IntakeMode.YEAR_ROUND and Stage.PRE_CONSULTATION in (
        track.stages or []
    )


def overseas_public_partner(org) -> bool:
    """An organisation of the kind that can be a demonstration's overseas partner: a foreign
    government, or an overseas public institution or university (not a private company, not
    a Korean organisation)."""
    if org is None or (org.country and org.country.code == "KR"):
        return False
    if org.kind == OrgKind.FOREIGN_GOVERNMENT:
        return True
    return org.kind == OrgKind.PARTNER and org.partner_type in CONSORTIUM_PARTNER_TYPES


def qualifying_consortium_member(member) -> bool:
    """An overseas government, public institution or university that has confirmed and that
    the secretariat has verified (an unverified organisation is only a claim)."""
    org = member.organisation
    if member.confirmed_at is None or not overseas_public_partner(org):
        return False
    return org.is_verified


# ---- content --------------------------------------------------------------------------------

REQUIRED_CONTENT = {
    TrackKind.PLANNING: [
        "city", "country", "site_and_scale", "site_readiness", "national_plan_priority",
        "korean_company_roles", "requested_amount", "matching_funds_amount",
    ],
    TrackKind.DEMONSTRATION: [
        "city", "country", "solution", "proof_kind", "proof_evidence", "demonstration_site",
        "business_plan", "market_entry_plan", "site_readiness", "requested_amount",
        "matching_cash", "matching_in_kind",
    ],
}


def _missing_content(proposal) -> list[str]:
    from kcity.applications.models import Proposal

    problems = []
    for name in REQUIRED_CONTENT[proposal.track.kind]:
        value = getattr(proposal, name)
        if value is None or value == "":
            label = Proposal._meta.get_field(name).verbose_name
            problems.append(_("Fill in “%(field)s”.") % {"field": label})
    if proposal.track.kind == TrackKind.PLANNING and not (
        proposal.project_type or proposal.urban_problem
    ):
        problems.append(_("Choose the project type or the urban problem the project addresses."))
    matching = (proposal.matching_funds_amount or 0) + (proposal.matching_cash or 0) + (
        proposal.matching_in_kind or 0
    )
    if matching > 0 and not proposal.matching_funds_evidence.strip():
        problems.append(_("Describe the evidence of the matching funds."))
    return problems


def amount_problems(proposal) -> list[str]:
    track, amount = proposal.track, proposal.requested_amount
    if amount is None:
        return []
    if amount <= 0:
        return [_("The requested amount must be more than zero.")]
    if track.grant_min is not None and amount < track.grant_min:
        return [
            _("The requested amount %(amount)s is below this track's smallest grant, %(min)s.")
            % {"amount": format_krw(amount), "min": format_krw(track.grant_min)}
        ]
    if track.grant_max is not None and amount > track.grant_max:
        return [
            _("The requested amount %(amount)s is above this track's largest grant, %(max)s.")
            % {"amount": format_krw(amount), "max": format_krw(track.grant_max)}
        ]
    return []


def budget_problems(proposal) -> list[str]:
    if proposal.track.kind != TrackKind.DEMONSTRATION or proposal.requested_amount is None:
        return []
    problems = []
    total = proposal.budget_total
    if total != proposal.requested_amount:
        problems.append(
            _("The budget by cost category adds up to %(total)s, not the requested %(amount)s.")
            % {"total": format_krw(total), "amount": format_krw(proposal.requested_amount)}
        )
    cap = proposal.track.labour_cost_cap_percent
    labour = proposal.budget_amount(CostCategory.LABOUR)
    if cap is not None and labour * 100 > cap * proposal.requested_amount:
        problems.append(
            _("Labour costs of %(labour)s are more than %(cap)s %% of the grant (%(limit)s).")
            % {
                "labour": format_krw(labour), "cap": cap,
                "limit": format_krw(proposal.requested_amount * cap // 100),
            }
        )
    return problems


def _prefetched(proposal, relation: str) -> bool:
    return relation in getattr(proposal, "_prefetched_objects_cache", {})


def missing_documents(proposal) -> list[dict]:
    # The submission prefetches the documents once for these checks and the snapshot; the
    # pages read only the codes.
    if _prefetched(proposal, "documents"):
        have = {d.code for d in proposal.documents.all()}
    else:
        have = set(proposal.documents.order_by().values_list("code", flat=True))
    return [d for d in proposal.track.required_documents or [] if d.get("code") not in have]


def document_name(doc: dict) -> str:
    from django.utils.translation import get_language

    if (get_language() or "").startswith("ko"):
        return doc.get("name_ko") or doc.get("name_en") or doc.get("code", "")
    return doc.get("name_en") or doc.get("name_ko") or doc.get("code", "")


def document_problems(proposal) -> list[str]:
    return [
        _("Attach the required document “%(name)s”.") % {"name": document_name(d)}
        for d in missing_documents(proposal)
    ]


def members_with_organisations(proposal):
    """The consortium members with their organisations; the submission prefetches them once
    for these checks and the receipt's snapshot."""
    if _prefetched(proposal, "members"):
        return proposal.members.all()
    return proposal.members.select_related("organisation")


def consortium_problems(proposal) -> list[str]:
    if proposal.track.kind != TrackKind.DEMONSTRATION:
        return []
    if _prefetched(proposal, "members"):
        members = proposal.members.all()
    else:  # the pages: only what `qualifying_consortium_member` reads
        members = (
            proposal.members.filter(confirmed_at__isnull=False)
            .select_related("organisation")
            .only("proposal", "confirmed_at", "organisation__country", "organisation__kind",
                  "organisation__partner_type", "organisation__verified_at",
                  "organisation__name")
            .order_by()
        )
    members = list(members)
    if any(qualifying_consortium_member(m) for m in members):
        return []
    unverified = [
        m.organisation for m in members
        if m.confirmed_at is not None and overseas_public_partner(m.organisation)
    ]
    if unverified:
        return [
            _(
                "The overseas partner %(names)s has confirmed, but the secretariat has not "
                "verified it yet: it counts as the consortium's overseas partner once verified."
            )
            % {"names": ", ".join(str(o) for o in unverified)}
        ]
    return [
        _(
            "The consortium needs an overseas government, public institution or university "
            "that has confirmed its participation (a foreign private company alone is not "
            "enough)."
        )
    ]


def pre_consultation_problems(proposal) -> list[str]:
    if not needs_pre_consultation(proposal.track):
        return []
    latest = proposal.latest_pre_consultation()
    if latest is None or latest.outcome != Outcome.INVITE:
        return [
            _(
                "This track takes a concept note first: a full proposal can be submitted only "
                "after the secretariat has invited it."
            )
        ]
    return []


def submission_problems(proposal) -> list[str]:
    """Everything that stops a submission, as messages for the applicant (empty: ready)."""
    problems = []
    if not proposal.organisation.is_verified:
        problems.append(
            _("Your organisation has not been verified by the secretariat yet.")
        )
    if not may_apply(proposal.organisation, proposal.track):
        problems.append(
            _("%(org)s cannot apply to this track.") % {"org": proposal.organisation}
        )
    problems += pre_consultation_problems(proposal)
    problems += _missing_content(proposal)
    problems += amount_problems(proposal)
    problems += budget_problems(proposal)
    problems += consortium_problems(proposal)
    problems += document_problems(proposal)
    return problems


# ---- screening checklist --------------------------------------------------------------------

MANUAL_CHECKS = {
    TrackKind.PLANNING: [
        ("official_letter_signed", gettext_lazy(
            "The official letter is signed by an authority competent for the site")),
        ("site_in_jurisdiction", gettext_lazy(
            "The site lies within the applicant's jurisdiction")),
        ("matching_funds_credible", gettext_lazy("The matching funds evidence is credible")),
    ],
    TrackKind.DEMONSTRATION: [
        ("loi_signed", gettext_lazy(
            "The letter of intent is signed by the overseas partner")),
        ("proof_credible", gettext_lazy("The proof of the solution in Korea is credible")),
        ("budget_consistent", gettext_lazy(
            "The budget sheet matches the budget by cost category")),
    ],
}


def checklist(proposal) -> list[dict]:
    """The eligibility checklist of the proposal's track: automatic checks (the rules above,
    evaluated now) and manual checks the secretariat ticks."""
    auto = [
        ("applicant_type", _("The applicant may apply to this track"),
         may_apply(proposal.organisation, proposal.track)),
        ("verified", _("The organisation is verified"), proposal.organisation.is_verified),
        ("amount", _("The requested amount is inside the grant range"),
         proposal.requested_amount is not None and not amount_problems(proposal)),
        ("documents", _("Every required document is attached"), not missing_documents(proposal)),
    ]
    if proposal.track.kind == TrackKind.DEMONSTRATION:
        auto.append(("budget", _("Budget adds up and labour is within the cap"),
                     not budget_problems(proposal)))
        auto.append(("consortium", _("The consortium includes a confirmed overseas partner"),
                     not consortium_problems(proposal)))
    ticked = proposal.screening_checklist or {}
    items = [{"code": c, "label": str(label), "auto": True, "ok": ok} for c, label, ok in auto]
    items += [
        {"code": c, "label": str(label), "auto": False, "ok": bool(ticked.get(c))}
        for c, label in MANUAL_CHECKS.get(proposal.track.kind, [])
    ]
    return items


# ---- roll-over ------------------------------------------------------------------------------


def next_cycle_track(track) -> Track:
    """The same track (by code) in the next year's cycle, created from this cycle's
    configuration when it does not exist yet (as a draft call for the secretariat)."""
    from kcity.programs import config

    year = track.cycle.year + 1
    with transaction.atomic():
        cycle = Cycle.objects.select_for_update().filter(year=year).first()
        if cycle is None:
            cycle = config.import_cycle(config.export_cycle(track.cycle), year=year)
        found = cycle.tracks.filter(code=track.code).first()
        if found is not None:
            return found
        # The next cycle exists without this track: copy it, dates one year on.
        criteria = list(track.criteria.all())
        copy = Track.objects.get(pk=track.pk)
        copy.pk, copy.cycle = None, cycle
        for name in ("opens_at", "deadline", "cutoff"):
            setattr(copy, name, config._shift(getattr(track, name), 1))
        copy.save()
        for criterion in criteria:
            criterion.pk, criterion.track = None, copy
            criterion.save()
        return copy

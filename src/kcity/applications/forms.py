"""Forms only parse and validate input; the services decide and write."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kcity.applications import rules
from kcity.applications.models import (
    TEXT_MAX,
    CostCategory,
    MemberRole,
    Outcome,
    Proposal,
)
from kcity.applications.models import ProposalState as S
from kcity.core.text import MailboxField, VisibleCharField
from kcity.portfolio import selectors as portfolio
from kcity.programs.models import TrackKind

MONEY_MAX = 10**15  # far above any grant; keeps the integer inside BigIntegerField


class NewProposalForm(forms.Form):
    track = forms.ModelChoiceField(label=_("Track"), queryset=None, empty_label=None)
    title = VisibleCharField(label=_("Title of the proposal"), max_length=200)

    def __init__(self, *args, tracks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["track"].queryset = tracks
        self.fields["track"].label_from_instance = lambda t: f"{t.cycle.year} · {t.name}"


class MoneyField(forms.IntegerField):
    """Whole KRW; thousands separators are accepted, letters are not."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MONEY_MAX)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.input_type = "text"
        self.widget.attrs.update({"inputmode": "numeric"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace(",", "").replace(" ", "")
        return super().to_python(value)


PLANNING_FIELDS = [
    "title", "city", "country", "project_type", "urban_problem", "site_and_scale",
    "site_readiness", "national_plan_priority", "korean_company_roles", "requested_amount",
    "matching_funds_amount", "matching_funds_evidence", "prior_study_project", "prior_study_url",
]
DEMONSTRATION_FIELDS = [
    "title", "city", "country", "solution", "proof_kind", "proof_evidence",
    "demonstration_site", "site_readiness", "business_plan", "market_entry_plan",
    "requested_amount", "matching_cash", "matching_in_kind", "matching_funds_evidence",
    "prior_study_project", "prior_study_url",
]
MONEY_FIELDS = {"requested_amount", "matching_funds_amount", "matching_cash", "matching_in_kind"}


class HttpsURLField(forms.URLField):
    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


def study_label(project) -> str:
    """A portfolio project as a choice: year, city and country (in the reader's language)."""
    label = f"{project.year} · {project.city}, {project.country.name}"
    return f"{label} · {project.title}" if project.title else label


class ProposalContentForm(forms.ModelForm):
    """The content of a draft; blanks are allowed while drafting (the submit checks say what
    is still missing)."""

    class Meta:
        model = Proposal
        fields = PLANNING_FIELDS + [f for f in DEMONSTRATION_FIELDS if f not in PLANNING_FIELDS]
        field_classes = {"prior_study_url": HttpsURLField, "title": VisibleCharField}
        widgets = {
            name: forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX})
            for name in [
                "site_and_scale", "site_readiness", "national_plan_priority",
                "korean_company_roles", "matching_funds_evidence", "solution",
                "proof_evidence", "demonstration_site", "business_plan", "market_entry_plan",
            ]
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        track = self.instance.track
        keep = PLANNING_FIELDS if track.kind == TrackKind.PLANNING else DEMONSTRATION_FIELDS
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        for name in MONEY_FIELDS & set(self.fields):
            self.fields[name] = MoneyField(
                label=capfirst(Proposal._meta.get_field(name).verbose_name),
                initial=getattr(self.instance, name),
            )
        study = self.fields["prior_study_project"]
        study.queryset = portfolio.earlier_studies(track.cycle.year)
        study.label_from_instance = study_label
        study.empty_label = _("None from the portfolio")
        study.help_text = _("An earlier K-City study this proposal builds on, from the "
                            "programme's portfolio.")
        self.fields["prior_study_url"].help_text = _(
            "Only for an earlier K-City study the portfolio does not list: a link to it.")
        if track.kind == TrackKind.DEMONSTRATION:
            cap = track.labour_cost_cap_percent
            for value, label in CostCategory.choices:
                field = MoneyField(label=label, initial=self.instance.budget_amount(value) or None)
                if value == CostCategory.LABOUR and cap is not None:
                    field.help_text = _("At most %(cap)s %% of the requested amount.") % {
                        "cap": cap
                    }
                self.fields[f"budget_{value}"] = field
        if track.grant_max:
            self.fields["requested_amount"].help_text = _("Whole KRW; this track grants up to "
                                                          "%(max)s KRW.") % {
                "max": f"{track.grant_max:,}"
            }

    def budget_fields(self):
        return [self[f"budget_{v}"] for v in CostCategory.values if f"budget_{v}" in self.fields]

    def content_fields(self):
        return [self[name] for name in self.fields if not name.startswith("budget_")]


class InviteForm(forms.Form):
    name = VisibleCharField(label=_("Organisation"), max_length=200)
    email = MailboxField(
        label=_("E-mail of the contact person"),
        help_text=_("Only a person who logs in with this address can accept the invitation."),
    )
    role = forms.ChoiceField(label=_("Role in the consortium"), choices=MemberRole.choices)


class DocumentForm(forms.Form):
    code = forms.ChoiceField(label=_("Document"))
    file = forms.FileField(label=_("File"), max_length=255)

    def __init__(self, *args, track, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [
            (d["code"], rules.document_name(d)) for d in track.required_documents or []
        ]


class ConceptNoteForm(forms.Form):
    concept_note = VisibleCharField(
        label=_("Concept note"), max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": TEXT_MAX}),
        help_text=_("The city, the problem, the site and what you ask of Korea, in a page."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )


class ScreeningForm(ReasonForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (S.RETURNED, _("Return for correction")),
            (S.ELIGIBLE, _("Eligible")),
            (S.INELIGIBLE, _("Ineligible")),
        ],
        widget=forms.RadioSelect,
    )
    field_order = ["decision", "reason"]


class ChecklistForm(forms.Form):
    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in rules.MANUAL_CHECKS.get(proposal.track.kind, []):
            self.fields[code] = forms.BooleanField(
                label=label, required=False,
                initial=bool((proposal.screening_checklist or {}).get(code)),
            )


class PreConsultationForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(v, label) for v, label in Outcome.choices if v != Outcome.PENDING],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note to the applicant"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )

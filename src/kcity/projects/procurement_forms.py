"""The procurement pages' forms (simple Django forms; the services decide)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kcity.projects.procurement_models import Tender

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"})
DATE = forms.DateInput(attrs={"type": "date"})


class TenderForm(forms.ModelForm):
    class Meta:
        model = Tender
        fields = ["scope_en", "scope_ko", "ceiling", "notice_date", "briefing_at",
                  "briefing_place", "bid_deadline", "evaluation_date", "award_date",
                  "consortia_allowed", "technical_weight", "price_weight"]
        widgets = {"briefing_at": DATETIME, "bid_deadline": DATETIME, "notice_date": DATE,
                   "evaluation_date": DATE, "award_date": DATE}
        help_texts = {"bid_deadline": _("Korea Standard Time."),
                      "ceiling": _("At most the project's award.")}


class RegistrationForm(forms.Form):
    attendees = forms.IntegerField(label=_("Attendees"), min_value=1, max_value=5, initial=1)


class BidForm(forms.Form):
    price = forms.IntegerField(label=_("Price (KRW)"), min_value=1)
    technical_proposal = forms.FileField(label=_("Technical proposal"))


class CommitteeForm(forms.Form):
    size = forms.IntegerField(label=_("Members"), min_value=1, max_value=15, initial=3)
    seed = forms.IntegerField(label=_("Seed (blank: random)"), required=False, min_value=0)


class ScoreForm(forms.Form):
    points = forms.DecimalField(label=_("Technical score (0-100)"), min_value=0, max_value=100,
                                decimal_places=2)


class AwardForm(forms.Form):
    value = forms.IntegerField(label=_("Contract value (KRW)"), min_value=1)
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE)
    start = forms.DateField(label=_("Start"), widget=DATE)
    end = forms.DateField(label=_("End"), widget=DATE)
    contract = forms.FileField(label=_("Signed contract"))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)

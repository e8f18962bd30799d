"""Forms only parse and validate input; the services decide and write."""

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from kcity.core.text import VisibleCharField
from kcity.programs.models import Stage


class PanelForm(forms.Form):
    track = forms.ModelChoiceField(label=_("Track"), queryset=None, empty_label=None)
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    size = forms.IntegerField(label=_("Number of experts"), min_value=1, max_value=50, initial=5)
    seed = forms.IntegerField(
        label=_("Seed (empty for a random one)"), required=False, min_value=0, max_value=2**62
    )

    def __init__(self, *args, tracks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["track"].queryset = tracks
        self.fields["track"].label_from_instance = lambda t: f"{t.cycle.year} · {t.name}"


class ReplaceForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)
    reason = VisibleCharField(label=_("Reason for the replacement"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class DeclarationForm(forms.Form):
    answer = forms.ChoiceField(choices=[("none", _("No conflict")), ("conflict", _("Conflict"))])
    reason = VisibleCharField(label=_("Reason"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


KST = ZoneInfo("Asia/Seoul")


class _WhenForm(forms.Form):
    """A date and a time entered in KST; `starts_at()` is the aware moment (stored UTC)."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Time (KST)"), widget=forms.TimeInput(attrs={"type": "time"}))

    def starts_at(self) -> dt.datetime:
        return dt.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"],
                                   tzinfo=KST)


class ScheduleForm(_WhenForm):
    round = forms.TypedChoiceField(label=_("Round"), coerce=int,
                                   choices=[(1, _("Round 1")), (2, _("Round 2"))])
    agenda = VisibleCharField(label=_("Agenda"), max_length=10_000,
                             widget=forms.Textarea(attrs={"rows": 3}))
    participants = VisibleCharField(label=_("Participants"), max_length=10_000,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["round", "date", "time", "agenda", "participants"]


class MinutesForm(forms.Form):
    round = forms.TypedChoiceField(coerce=int, choices=[(1, "1"), (2, "2")],
                                   widget=forms.HiddenInput)
    minutes = VisibleCharField(label=_("Minutes"), max_length=10_000,
                              widget=forms.Textarea(attrs={"rows": 4}))
    questions = VisibleCharField(label=_("Questions to the applicant"), max_length=10_000,
                                required=False, widget=forms.Textarea(attrs={"rows": 3}))


class RevisedDocumentForm(forms.Form):
    file = forms.FileField(label=_("Revised document"))


class SlotForm(_WhenForm):
    panel = forms.ModelChoiceField(label=_("Panel"), queryset=None, empty_label=None,
                                   widget=forms.HiddenInput)
    minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=5, max_value=240,
                                 initial=30)
    presenters = VisibleCharField(label=_("Presenters"), max_length=2000,
                                 widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, panels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["panel"].queryset = panels


def sheet_entries(post, criteria) -> dict:
    """criterion code -> (points as typed, comment) from a score sheet form."""
    return {
        c.code: (post.get(f"points_{c.code}", "").strip(),
                 post.get(f"comment_{c.code}", "")[:4000])
        for c in criteria
    }

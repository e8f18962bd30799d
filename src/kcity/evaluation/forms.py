"""Forms only parse and validate input; the services decide and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

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
    reason = forms.CharField(label=_("Reason for the replacement"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class DeclarationForm(forms.Form):
    answer = forms.ChoiceField(choices=[("none", _("No conflict")), ("conflict", _("Conflict"))])
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


def sheet_entries(post, criteria) -> dict:
    """criterion code -> (points as typed, comment) from a score sheet form."""
    return {
        c.code: (post.get(f"points_{c.code}", "").strip(),
                 post.get(f"comment_{c.code}", "")[:4000])
        for c in criteria
    }

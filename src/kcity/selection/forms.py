"""Forms of the selection screens; the what-if form turns its fields into a scenario's
overrides (see whatif.scenario_data)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from kcity.core.text import VisibleCharField
from kcity.selection.models import Policy

FIXED_CHOICES = [("", _("as the engine decides")), ("include", _("include")),
                 ("exclude", _("exclude"))]


class RoundForm(forms.Form):
    cycle = forms.ModelChoiceField(queryset=None, label=_("Cycle"))
    budget = forms.IntegerField(label=_("Budget (KRW)"), min_value=0, required=False,
                                help_text=_("Empty: the cycle's total budget."))
    max_per_country = forms.IntegerField(label=_("Most projects per country"), min_value=1,
                                         required=False, help_text=_("Empty: no cap."))
    bonus_matching_funds = forms.DecimalField(
        label=_("Bonus points for matching funds"), min_value=0, max_value=100,
        decimal_places=2, initial=Decimal(0))
    bonus_prior_planning = forms.DecimalField(
        label=_("Bonus points for an earlier K-City study"), min_value=0, max_value=100,
        decimal_places=2, initial=Decimal(0))

    def __init__(self, *args, cycles=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = cycles


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Round file (JSON, selection.md format)"))


class ScenarioForm(forms.Form):
    name = VisibleCharField(label=_("Name"), max_length=120)
    policy = forms.ChoiceField(label=_("Policy"), choices=Policy.choices)
    copy_from = forms.ModelChoiceField(queryset=None, label=_("Start from"), required=False,
                                       empty_label=_("the round as built"))

    def __init__(self, *args, scenarios=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["copy_from"].queryset = scenarios


class CompareForm(forms.Form):
    a = forms.ModelChoiceField(queryset=None, label=_("Scenario"))
    b = forms.ModelChoiceField(queryset=None, label=_("with scenario"))

    def __init__(self, *args, scenarios=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["a"].queryset = scenarios
        self.fields["b"].queryset = scenarios


def _int(label, **kwargs):
    return forms.IntegerField(label=label, required=False, **kwargs)


class WhatIfForm(forms.Form):
    """Budget, country cap, each track's quota and budget, and include/exclude per proposal;
    initialised with the scenario's effective parameters."""

    budget = forms.IntegerField(label=_("Budget (KRW)"), min_value=0)
    max_per_country = _int(_("Most projects per country"), min_value=1,
                           help_text=_("Empty: no cap."))

    def __init__(self, *args, data_instance: dict, rows: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.tracks = data_instance["tracks"]
        self.ids = [r["id"] for r in rows]
        fixed = data_instance.get("fixed") or {}
        self.initial.setdefault("budget", data_instance["budget"])
        self.initial.setdefault("max_per_country", data_instance.get("max_per_country"))
        for t in self.tracks:
            code = t["code"]
            self.fields[f"min_{code}"] = _int(_("fewest projects"), min_value=0)
            self.fields[f"max_{code}"] = _int(_("most projects"), min_value=0)
            self.fields[f"budget_{code}"] = _int(_("track budget (KRW)"), min_value=0)
            self.initial.setdefault(f"min_{code}", t.get("min_projects", 0))
            self.initial.setdefault(f"max_{code}", t.get("max_projects"))
            self.initial.setdefault(f"budget_{code}", t.get("budget"))
        for pid in self.ids:
            self.fields[f"fixed_{pid}"] = forms.ChoiceField(
                label=_("Fixed"), choices=FIXED_CHOICES, required=False)
            value = ("include" if pid in fixed.get("include", []) else
                     "exclude" if pid in fixed.get("exclude", []) else "")
            self.initial.setdefault(f"fixed_{pid}", value)

    def track_fields(self):
        return [{"code": t["code"], "min": self[f"min_{t['code']}"],
                 "max": self[f"max_{t['code']}"], "budget": self[f"budget_{t['code']}"]}
                for t in self.tracks]

    def fixed_field(self, pid):
        return self[f"fixed_{pid}"]

    def clean(self):
        cleaned = super().clean()
        for t in self.tracks:
            low, high = cleaned.get(f"min_{t['code']}"), cleaned.get(f"max_{t['code']}")
            if low is not None and high is not None and low > high:
                self.add_error(f"max_{t['code']}",
                               _("The most projects must be at least the fewest."))
        return cleaned

    def overrides(self) -> dict:
        c = self.cleaned_data
        return {
            "budget": c["budget"],
            "max_per_country": c.get("max_per_country"),
            "tracks": {
                t["code"]: {
                    "min_projects": c.get(f"min_{t['code']}") or 0,
                    "max_projects": c.get(f"max_{t['code']}"),
                    "budget": c.get(f"budget_{t['code']}"),
                } for t in self.tracks
            },
            "include": [pid for pid in self.ids if c.get(f"fixed_{pid}") == "include"],
            "exclude": [pid for pid in self.ids if c.get(f"fixed_{pid}") == "exclude"],
        }

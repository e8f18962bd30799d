"""The audit trail's search form: who, what action, which object, between which days (KST)."""

import datetime as dt

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kcity.core.models import AuditAction


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("User name"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"), required=False,
        choices=[("", _("Any action")), *AuditAction.choices],
    )
    object_type = forms.CharField(
        label=_("Object type"), required=False, max_length=64,
        help_text=_("e.g. applications.proposal"),
    )
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    start = forms.DateField(label=_("From (KST)"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To (KST, inclusive)"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The first day comes after the last."))
        return data

    def filter(self, entries: QuerySet) -> QuerySet:
        """The entries matching the (valid) form; every field is optional."""
        data = self.cleaned_data
        if data.get("actor"):
            entries = entries.filter(actor_name__iexact=data["actor"].strip())
        if data.get("action"):
            entries = entries.filter(action=data["action"])
        if data.get("object_type"):
            entries = entries.filter(object_type__iexact=data["object_type"].strip())
        if data.get("object_id"):
            entries = entries.filter(object_id=data["object_id"].strip())
        zone = timezone.get_current_timezone()
        if data.get("start"):
            entries = entries.filter(at__gte=dt.datetime.combine(data["start"], dt.time(),
                                                                 tzinfo=zone))
        if data.get("end"):
            after = data["end"] + dt.timedelta(days=1)
            entries = entries.filter(at__lt=dt.datetime.combine(after, dt.time(), tzinfo=zone))
        return entries

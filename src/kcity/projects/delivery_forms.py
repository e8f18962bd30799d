"""The forms of the delivery pages: they parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kcity.projects.models import DeliverableType

DATE = forms.DateInput(attrs={"type": "date"})


class MilestoneForm(forms.Form):
    title_en = forms.CharField(label=_("title (English)"), max_length=200)
    title_ko = forms.CharField(label=_("title (Korean)"), max_length=200)
    due_on = forms.DateField(label=_("due on"), widget=DATE)


class DeliverableForm(forms.Form):
    kind = forms.ChoiceField(label=_("type"), choices=DeliverableType.choices)
    title_en = forms.CharField(label=_("title (English)"), max_length=200)
    title_ko = forms.CharField(label=_("title (Korean)"), max_length=200)
    due_on = forms.DateField(label=_("due on"), widget=DATE)
    payment_share = forms.IntegerField(label=_("payment share (KRW)"), required=False,
                                       min_value=1)
    milestone = forms.TypedChoiceField(label=_("milestone"), required=False, coerce=int,
                                       empty_value=None)

    def __init__(self, *args, milestones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].choices = [("", "—")] + [
            (m.pk, f"{m.title_en} / {m.title_ko}") for m in milestones]


class SubmissionForm(forms.Form):
    file = forms.FileField(label=_("file"))
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(
        attrs={"rows": 3}))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("decision"), choices=[
        ("accept", _("Accept")), ("return", _("Return with comments"))],
        widget=forms.RadioSelect)
    comment = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea(
        attrs={"rows": 3}))


class PaymentForm(forms.Form):
    deliverable = forms.TypedChoiceField(label=_("deliverable"), coerce=int)
    amount = forms.IntegerField(label=_("amount (KRW)"), min_value=1)
    paid_on = forms.DateField(label=_("paid on"), widget=DATE)

    def __init__(self, *args, deliverables=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deliverable"].choices = [
            (d.pk, f"{d.title_en} / {d.title_ko}") for d in deliverables]

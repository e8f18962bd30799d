"""The form that asks for the second factor after the password."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_otp.forms import OTPTokenForm

from kcity.accounts import two_factor


class TwoFactorCodeForm(OTPTokenForm):
    """One box: six digits from the authenticator app, or a recovery code (used up once it
    is accepted). django-otp checks the code, throttles repeated failures and records the
    device in the session (`django_otp.login`)."""

    otp_error_messages = dict(
        OTPTokenForm.otp_error_messages,
        token_required=_("Enter the code from your authenticator app or a recovery code."),
        invalid_token=_("This code is not right. Enter the current code from your app."),
        device_required=_("This code is not right. Enter the current code from your app."),
        verification_not_allowed=_("Too many wrong codes: wait a moment and try again."),
        n_failed_attempts=_("Too many wrong codes: wait a moment and try again."),
    )

    def __init__(self, user, request=None, *args, **kwargs):
        super().__init__(user, request, *args, **kwargs)
        del self.fields["otp_challenge"]
        self.fields["otp_device"].required = False
        self.fields["otp_device"].widget = forms.HiddenInput()
        token = self.fields["otp_token"]
        token.label = _("Code")
        token.widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        )

    def clean(self):
        device = two_factor.device_for_code(
            user=self.user, code=self.cleaned_data.get("otp_token", "")
        )
        self.cleaned_data["otp_device"] = device.persistent_id if device else ""
        return super().clean()


class EnrolmentForm(forms.Form):
    token = forms.CharField(
        label=_("Code from the app"), max_length=6, min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

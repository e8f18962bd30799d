"""Two-factor log-in with django-otp: an authenticator app (TOTP) and ten recovery codes.

Enrolment makes an unconfirmed TOTP device; the user scans its QR code (or types the
secret) and confirms with a code, which confirms the device and issues new recovery codes,
shown once. Which users must enrol is `permissions.needs_two_factor`.
"""

from base64 import b32encode

import segno
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"


def pending_device(*, by) -> TOTPDevice:
    """The user's unconfirmed authenticator, made on first ask (kept, so reloading the
    enrolment page shows the same QR code)."""
    device = TOTPDevice.objects.filter(user=by, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=by, name=TOTP_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code (no script, no style attribute)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)


def confirm_enrolment(*, by, device: TOTPDevice, token: str) -> list[str]:
    """Confirm `device` with a code from the app; return the new recovery codes (the old
    ones and any other authenticator stop working)."""
    if device.user_id != by.pk or device.confirmed:
        raise ValidationError(_("This enrolment is no longer open; start again."))
    allowed, _details = device.verify_is_allowed()  # django-otp's throttle after a wrong code
    if not allowed:
        raise ValidationError(_("Too many wrong codes: wait a moment and try again."))
    if not device.verify_token((token or "").strip()):
        raise ValidationError(
            _("This code is not right. Check the clock of your phone and enter the new code.")
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=by).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return new_recovery_codes(by=by)


def new_recovery_codes(*, by) -> list[str]:
    with transaction.atomic():
        StaticDevice.objects.filter(user=by).delete()
        static = StaticDevice.objects.create(user=by, name=RECOVERY_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=static, token=c) for c in codes)
    return codes


def device_for_code(*, user, code: str):
    """The device a typed code is for: six digits are the app's, anything else a recovery
    code."""
    code = (code or "").strip()
    kind = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    return kind.objects.filter(user=user, confirmed=True).order_by("pk").first()

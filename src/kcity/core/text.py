"""Values people type: one predicate for a blank text, one form of a Korean business
registration number, one limit on an e-mail address's local part.

Every form and service that takes a required name or title, a business registration
number or an e-mail address uses these, so the rule is the same on every path.
"""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Characters that show nothing: zero-width space, non-joiner and joiner, word joiner, the
# byte-order mark, and the Hangul fillers (compatibility, choseong, jungseong, half-width).
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u3164\u115f\u1160\uffa0")


def is_blank(value) -> bool:
    """True when the text shows nothing: empty, or only whitespace and invisible fillers."""
    if value is None:
        return True
    return all(c.isspace() or c in INVISIBLE for c in str(value))


def validate_not_blank(value) -> None:
    """A model field validator: a value made only of invisible characters is no value."""
    if is_blank(value):
        raise ValidationError(forms.Field.default_error_messages["required"], code="required")


class VisibleCharField(forms.CharField):
    """A CharField for which an invisible value counts as empty: a required field then says
    "This field is required.", an optional one stores ""."""

    def to_python(self, value):
        value = super().to_python(value)
        if value not in self.empty_values and is_blank(value):
            return self.empty_value
        return value


# ---- business registration numbers ----------------------------------------------------------

BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def normalise_brn(value) -> str:
    """The canonical NNN-NN-NNNNN form of a business registration number as typed:
    full-width digits become ASCII (NFKC), hyphens, dashes and spaces go. A value that is not
    ten digits afterwards comes back stripped but otherwise as typed, for the validator to
    refuse."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    digits = "".join(
        c for c in text if not (c.isspace() or unicodedata.category(c) == "Pd")
    )
    if len(digits) == 10 and digits.isascii() and digits.isdigit():
        return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"
    return text


def brn_check_digit(first_nine: str) -> int:
    digits = [int(c) for c in first_nine]
    total = sum(d * w for d, w in zip(digits, BRN_WEIGHTS, strict=True))
    total += (digits[8] * 5) // 10
    return (10 - total % 10) % 10


def validate_business_registration_number(value: str) -> None:
    """Korean business registration number: ten digits (written in any of the accepted ways)
    with the national check digit, and not all zeros."""
    canonical = normalise_brn(value)
    digits = canonical.replace("-", "")
    if len(canonical) != 12 or not (digits.isascii() and digits.isdigit()):
        raise ValidationError(_("Enter the number as NNN-NN-NNNNN (10 digits)."), code="format")
    if set(digits) == {"0"}:
        raise ValidationError(
            _("000-00-00000 is not a business registration number."), code="zeros"
        )
    if brn_check_digit(digits[:9]) != int(digits[9]):
        raise ValidationError(
            _("This business registration number has a wrong check digit."), code="check_digit"
        )


# ---- e-mail addresses -----------------------------------------------------------------------

EMAIL_LOCAL_PART_MAX = 64  # RFC 5321, 4.5.3.1.1


def validate_email_local_part(value) -> None:
    local = str(value or "").rpartition("@")[0]
    if len(local) > EMAIL_LOCAL_PART_MAX:
        raise ValidationError(
            _("The part of the e-mail address before the @ may have at most %(max)d "
              "characters (it has %(length)d).")
            % {"max": EMAIL_LOCAL_PART_MAX, "length": len(local)},
            code="local_part_too_long",
        )


class MailboxField(forms.EmailField):
    """An e-mail address field that also keeps the local part within RFC 5321's limit."""

    default_validators = [*forms.EmailField.default_validators, validate_email_local_part]

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)


def same_mailbox(a, b) -> bool:
    """Two e-mail addresses name the same mailbox: equal once surrounding spaces go and case
    is folded (the domain is case-insensitive by RFC; no provider we know of treats the local
    part's case as significant, and invitations are stored lower-cased)."""
    return bool(a) and bool(b) and str(a).strip().casefold() == str(b).strip().casefold()

"""Money is integer KRW everywhere; these helpers only format it for people."""

from django.utils.translation import get_language
from django.utils.translation import gettext as _


def format_krw(amount: int | None) -> str:
    """400000000 -> '400,000,000 KRW' (English) or '4억 원' (Korean)."""
    if amount is None:
        return "—"
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError("money must be an integer number of KRW")
    if (get_language() or "").startswith("ko"):
        return _korean_units(amount)
    return _("%(amount)s KRW") % {"amount": f"{amount:,}"}


def _korean_units(amount: int) -> str:
    eok, rest = divmod(amount, 100_000_000)
    man, won = divmod(rest, 10_000)
    parts = []
    if eok:
        parts.append(f"{eok:,}억")
    if man:
        parts.append(f"{man:,}만")
    if won or not parts:
        parts.append(f"{won:,}")
    return " ".join(parts) + " 원"

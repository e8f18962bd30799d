"""Every user-facing sentence of the engine, in one place so it can be translated.

`_` marks strings for extraction (like Django's `gettext_noop`) without importing
Django: the engine must stay importable by the plain `kcity select` command.
"""

from __future__ import annotations

import functools
import re


def _(message: str) -> str:
    """Mark `message` for translation; returns it unchanged (gettext_noop style)."""
    return message


KRW = _("{amount} KRW")


def krw(amount: int) -> str:
    """Money with thousands separators, e.g. '150,000,000 KRW'."""
    return KRW.format(amount=f"{amount:,}")


# -- why an instance is infeasible ------------------------------------------
# A result's `reason` is stored in English (the exchange format's words); the portal turns
# it back into its template and values (`parse_reason`) to show it in the user's language.

REASONS: list[str] = []


def _reason(template: str) -> str:
    REASONS.append(template)
    return template


INCLUDE_UNKNOWN = _reason(_('fixed.include: "{id}" is not a proposal of this round'))
INCLUDE_NOT_FUNDABLE = _reason(_('fixed.include: "{id}" cannot be funded ({reason})'))
INCLUDES_OVER_BUDGET = _reason(_(
    "budget: the fixed includes alone request {awarded}, more than the budget of {budget}"))
INCLUDES_OVER_CYCLE_MAX = _reason(_(
    "max_projects: {count} fixed includes exceed the cycle's maximum of {maximum} projects"))
INCLUDES_OVER_TRACK_MAX = _reason(_(
    "track {track}: {count} fixed includes exceed its maximum of {maximum} projects"))
INCLUDES_OVER_TRACK_BUDGET = _reason(_(
    "track {track}: the fixed includes request {awarded}, more than its budget of {budget}"))
INCLUDES_OVER_CAP = _reason(_(
    "max_per_country: {count} fixed includes are from {country}, above the cap of {cap}"))
TRACK_MIN_ABOVE_MAX = _reason(_(
    "track {track}: its minimum of {minimum} projects is above its maximum of {maximum}"))
TRACK_MIN_UNREACHABLE_CAPPED = _reason(_(
    "track {track}: minimum of {minimum} projects cannot be reached: only {available} "
    "fundable proposals fit under the country cap"))
TRACK_MIN_UNREACHABLE = _reason(_(
    "track {track}: minimum of {minimum} projects cannot be reached: only {available} "
    "fundable proposals"))
TRACK_BUDGET_TOO_SMALL = _reason(_(
    "track {track}: its budget of {budget} is too small for its minimum of {minimum} "
    "projects (at least {needed} needed)"))
BUDGET_TOO_SMALL = _reason(_(
    "budget: {budget} is too small for the fixed includes and track minimums "
    "(at least {needed} needed)"))
MINIMUMS_OVER_CYCLE_MAX = _reason(_(
    "max_projects: the fixed includes and track minimums need {needed} projects, more than "
    "the cycle's maximum of {maximum}"))
CAP_BLOCKS_MINIMUMS = _reason(_(
    "max_per_country: with at most {cap} project(s) per country the track minimums "
    "cannot all be met"))
BUDGET_BLOCKS_MINIMUMS = _reason(_(
    "budget: {budget} cannot fund the track minimums together under the track and "
    "country limits"))
TRACK_BUDGETS_BLOCK_MINIMUMS = _reason(_(
    "track budgets: the track minimums cannot be met within the track budgets"))
CONSTRAINTS_CONFLICT = _reason(_(
    "the track minimums, budgets and country cap cannot all be met together"))
MINIMUM_NOT_MET = _reason(_(
    "track {track}: minimum of {minimum} projects not met ({count} selected)"))
NO_SOLUTION_IN_TIME = _reason(_(
    "no feasible selection was found within the time limit of {seconds} s"))


def include_unknown(pid: str) -> str:
    return INCLUDE_UNKNOWN.format(id=pid)


def include_not_fundable(pid: str, reason: str) -> str:
    return INCLUDE_NOT_FUNDABLE.format(id=pid, reason=reason)


def includes_over_budget(awarded: int, budget: int) -> str:
    return INCLUDES_OVER_BUDGET.format(awarded=krw(awarded), budget=krw(budget))


def includes_over_cycle_max(count: int, maximum: int) -> str:
    return INCLUDES_OVER_CYCLE_MAX.format(count=count, maximum=maximum)


def minimums_over_cycle_max(needed: int, maximum: int) -> str:
    return MINIMUMS_OVER_CYCLE_MAX.format(needed=needed, maximum=maximum)


def includes_over_track_max(track: str, count: int, maximum: int) -> str:
    return INCLUDES_OVER_TRACK_MAX.format(track=track, count=count, maximum=maximum)


def includes_over_track_budget(track: str, awarded: int, budget: int) -> str:
    return INCLUDES_OVER_TRACK_BUDGET.format(track=track, awarded=krw(awarded),
                                             budget=krw(budget))


def includes_over_cap(country: str, count: int, cap: int) -> str:
    return INCLUDES_OVER_CAP.format(country=country, count=count, cap=cap)


def track_min_above_max(track: str, minimum: int, maximum: int) -> str:
    return TRACK_MIN_ABOVE_MAX.format(track=track, minimum=minimum, maximum=maximum)


def track_min_unreachable(track: str, minimum: int, available: int, capped: bool) -> str:
    template = TRACK_MIN_UNREACHABLE_CAPPED if capped else TRACK_MIN_UNREACHABLE
    return template.format(track=track, minimum=minimum, available=available)


def track_budget_too_small(track: str, budget: int, needed: int, minimum: int) -> str:
    return TRACK_BUDGET_TOO_SMALL.format(track=track, budget=krw(budget), needed=krw(needed),
                                         minimum=minimum)


def budget_too_small(budget: int, needed: int) -> str:
    return BUDGET_TOO_SMALL.format(budget=krw(budget), needed=krw(needed))


def cap_blocks_minimums(cap: int) -> str:
    return CAP_BLOCKS_MINIMUMS.format(cap=cap)


def budget_blocks_minimums(budget: int) -> str:
    return BUDGET_BLOCKS_MINIMUMS.format(budget=krw(budget))


def track_budgets_block_minimums() -> str:
    return TRACK_BUDGETS_BLOCK_MINIMUMS


def constraints_conflict() -> str:
    return CONSTRAINTS_CONFLICT


def minimum_not_met(track: str, minimum: int, count: int) -> str:
    return MINIMUM_NOT_MET.format(track=track, minimum=minimum, count=count)


def no_solution_in_time(seconds: float) -> str:
    return NO_SOLUTION_IN_TIME.format(seconds=seconds)


@functools.cache
def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"\{(\w+)\}", template)
    body = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)"
                   for i, part in enumerate(parts))
    return re.compile(f"^{body}$", re.DOTALL)


def parse_reason(text: str) -> tuple[str, dict[str, str]] | None:
    """The template and values that `text`, a reason in English, was made from; None for a
    text that no reason template makes (an older or foreign result). The patterns are
    anchored and keep the template's words, so a match formats back to `text`."""
    for template in REASONS:
        found = _pattern(template).match(text or "")
        if found:
            return template, found.groupdict()
    return None


def parse_krw(text: str) -> int | None:
    """`'150,000,000 KRW'` -> 150000000; None when `text` is not an amount made by `krw`."""
    found = _pattern(KRW).match(text)
    digits = found and found.group("amount")
    if digits and re.fullmatch(r"-?\d{1,3}(,\d{3})*", digits):
        return int(digits.replace(",", ""))
    return None


# -- why a fundable proposal was not selected -------------------------------


def blocked_by_country(country: str, cap: int, holders: list[str]) -> str:
    return _("country {country} already has its {cap} project(s) ({holders})").format(
        country=country, cap=cap, holders=", ".join(holders))


def blocked_by_track_max(track: str, maximum: int) -> str:
    return _("track {track} is full ({maximum} projects)").format(track=track, maximum=maximum)


def blocked_by_cycle_max(maximum: int) -> str:
    return _("the cycle is full ({maximum} projects in all)").format(maximum=maximum)


def blocked_by_track_budget(track: str, short: int) -> str:
    return _("track {track}'s budget is {short} short").format(track=track, short=krw(short))


def blocked_by_budget(short: int) -> str:
    return _("the budget is {short} short").format(short=krw(short))


def no_gain() -> str:
    return _("adding it would not raise the total merit")


def not_reached() -> str:
    return _("the time limit stopped the search before it was considered")


def not_selected(reasons: list[str]) -> str:
    return _("Not selected: {reasons}.").format(reasons="; ".join(reasons))


def change_budget(increase: int) -> str:
    if increase == 0:
        return _("It is in an equally good alternative selection at the current budget.")
    return _("It would be selected if the budget were {increase} higher.").format(
        increase=krw(increase))


def change_none() -> str:
    return _("No budget increase alone brings it in.")


def change_track_budget(track: str, increase: int) -> str:
    return _("It would be selected if track {track}'s budget were {increase} higher.").format(
        track=track, increase=krw(increase))


def change_cap(cap: int) -> str:
    return _("It would be selected if the country cap were {cap}.").format(cap=cap)


def change_track_max(track: str, maximum: int) -> str:
    return _("It would be selected if track {track} could have {maximum} projects.").format(
        track=track, maximum=maximum)


def change_cycle_max(maximum: int) -> str:
    return _("It would be selected if the cycle could have {maximum} projects in all.").format(
        maximum=maximum)


# -- a smallest change not proven within the time allowed (explain's work limit) --


def change_money_bounded(track: str | None, at_least: int, at_most: int | None) -> str:
    """`at_most`: an increase proven to bring it in; nothing below `at_least` does."""
    if track is None:
        if at_most is None:
            return _("No budget increase below {least} brings it in; larger increases were "
                     "not examined within the time allowed.").format(least=krw(at_least))
        return _("It would be selected if the budget were {most} higher; the smallest such "
                 "increase is at least {least} but was not determined within the time allowed."
                 ).format(most=krw(at_most), least=krw(at_least))
    if at_most is None:
        return _("No increase of track {track}'s budget below {least} brings it in; larger "
                 "increases were not examined within the time allowed.").format(
            track=track, least=krw(at_least))
    return _("It would be selected if track {track}'s budget were {most} higher; the smallest "
             "such increase is at least {least} but was not determined within the time "
             "allowed.").format(track=track, most=krw(at_most), least=krw(at_least))


def change_cycle_max_bounded(at_least: int, to: int | None) -> str:
    """`to`: a cycle maximum proven to bring it in; no value below `at_least` does."""
    if to is None:
        return _("No cycle maximum below {least} projects brings it in; larger maximums were "
                 "not examined within the time allowed.").format(least=at_least)
    return _("It would be selected if the cycle could have {to} projects in all; the smallest "
             "such maximum is at least {least} but was not determined within the time "
             "allowed.").format(to=to, least=at_least)


def change_count_bounded(track: str | None, at_least: int, to: int | None) -> str:
    """`to`: a limit proven to bring it in; no value below `at_least` does."""
    if track is None:
        if to is None:
            return _("No country cap below {least} brings it in; larger caps were not "
                     "examined within the time allowed.").format(least=at_least)
        return _("It would be selected if the country cap were {to}; the smallest such cap "
                 "is at least {least} but was not determined within the time allowed."
                 ).format(to=to, least=at_least)
    if to is None:
        return _("No maximum of track {track} below {least} projects brings it in; larger "
                 "maximums were not examined within the time allowed.").format(
            track=track, least=at_least)
    return _("It would be selected if track {track} could have {to} projects; the smallest "
             "such maximum is at least {least} but was not determined within the time "
             "allowed.").format(track=track, to=to, least=at_least)

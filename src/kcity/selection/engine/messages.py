"""Every user-facing sentence of the engine, in one place so it can be translated.

`_` marks strings for extraction (like Django's `gettext_noop`) without importing
Django: the engine must stay importable by the plain `kcity select` command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def _(message: str) -> str:
    """Mark `message` for translation; returns it unchanged (gettext_noop style)."""
    return message


KRW = _("{amount} KRW")


def krw(amount: int) -> str:
    """Money with thousands separators, e.g. '150,000,000 KRW'."""
    return KRW.format(amount=f"{amount:,}")


# -- reasons: a code, its values and the English words ----------------------
# A reason is returned as a code with its values (`Reason`) beside the exchange format's
# English `reason`; the portal translates from the code (its template, marked here for
# extraction) and the values, never from the English text.

REASONS: dict[str, str] = {}  # code -> English template, for infeasible rounds
MONEY = frozenset({"awarded", "budget", "needed", "short"})  # values in KRW


def _reason(code: str, template: str) -> str:
    REASONS[code] = template
    return code


@dataclass(frozen=True)
class Reason:
    """Why: `code` (a key of REASONS or BLOCKERS) and the `values` its template names
    (money as integer KRW, counts as integers, ids and codes as strings)."""

    code: str
    values: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        """The English words (the exchange format's `reason`)."""
        template = REASONS.get(self.code) or BLOCKERS[self.code]
        return template.format(**words(self.values))

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "values": dict(self.values)}


def words(values: dict[str, Any]) -> dict[str, str]:
    """Values as the English templates show them: KRW with separators, lists joined."""
    shown = {}
    for name, value in values.items():
        if name in MONEY:
            shown[name] = krw(value)
        elif isinstance(value, list):
            shown[name] = ", ".join(str(v) for v in value)
        else:
            shown[name] = str(value)
    return shown


INCLUDE_UNKNOWN = _reason("include_unknown", _(
    'fixed.include: "{id}" is not a proposal of this round'))
INCLUDE_NOT_FUNDABLE = _reason("include_not_fundable", _(
    'fixed.include: "{id}" cannot be funded ({reason})'))
INCLUDES_OVER_BUDGET = _reason("includes_over_budget", _(
    "budget: the fixed includes alone request {awarded}, more than the budget of {budget}"))
INCLUDES_OVER_CYCLE_MAX = _reason("includes_over_cycle_max", _(
    "max_projects: {count} fixed includes exceed the cycle's maximum of {maximum} projects"))
INCLUDES_OVER_TRACK_MAX = _reason("includes_over_track_max", _(
    "track {track}: {count} fixed includes exceed its maximum of {maximum} projects"))
INCLUDES_OVER_TRACK_BUDGET = _reason("includes_over_track_budget", _(
    "track {track}: the fixed includes request {awarded}, more than its budget of {budget}"))
INCLUDES_OVER_CAP = _reason("includes_over_cap", _(
    "max_per_country: {count} fixed includes are from {country}, above the cap of {cap}"))
TRACK_MIN_ABOVE_MAX = _reason("track_min_above_max", _(
    "track {track}: its minimum of {minimum} projects is above its maximum of {maximum}"))
TRACK_MIN_UNREACHABLE_CAPPED = _reason("track_min_unreachable_capped", _(
    "track {track}: minimum of {minimum} projects cannot be reached: only {available} "
    "fundable proposals fit under the country cap"))
TRACK_MIN_UNREACHABLE = _reason("track_min_unreachable", _(
    "track {track}: minimum of {minimum} projects cannot be reached: only {available} "
    "fundable proposals"))
TRACK_BUDGET_TOO_SMALL = _reason("track_budget_too_small", _(
    "track {track}: its budget of {budget} is too small for its minimum of {minimum} "
    "projects (at least {needed} needed)"))
BUDGET_TOO_SMALL = _reason("budget_too_small", _(
    "budget: {budget} is too small for the fixed includes and track minimums "
    "(at least {needed} needed)"))
MINIMUMS_OVER_CYCLE_MAX = _reason("minimums_over_cycle_max", _(
    "max_projects: the fixed includes and track minimums need {projects} projects, more "
    "than the cycle's maximum of {maximum}"))
CAP_BLOCKS_MINIMUMS = _reason("cap_blocks_minimums", _(
    "max_per_country: with at most {cap} project(s) per country the track minimums "
    "cannot all be met"))
BUDGET_BLOCKS_MINIMUMS = _reason("budget_blocks_minimums", _(
    "budget: {budget} cannot fund the track minimums together under the track and "
    "country limits"))
TRACK_BUDGETS_BLOCK_MINIMUMS = _reason("track_budgets_block_minimums", _(
    "track budgets: the track minimums cannot be met within the track budgets"))
CONSTRAINTS_CONFLICT = _reason("constraints_conflict", _(
    "the track minimums, budgets and country cap cannot all be met together"))
MINIMUM_NOT_MET = _reason("minimum_not_met", _(
    "track {track}: minimum of {minimum} projects not met ({count} selected)"))
NO_SOLUTION_IN_TIME = _reason("no_solution_in_time", _(
    "no feasible selection was found within the time limit of {seconds} s"))


def include_unknown(pid: str) -> Reason:
    return Reason(INCLUDE_UNKNOWN, {"id": pid})


def include_not_fundable(pid: str, reason: str) -> Reason:
    return Reason(INCLUDE_NOT_FUNDABLE, {"id": pid, "reason": reason})


def includes_over_budget(awarded: int, budget: int) -> Reason:
    return Reason(INCLUDES_OVER_BUDGET, {"awarded": awarded, "budget": budget})


def includes_over_cycle_max(count: int, maximum: int) -> Reason:
    return Reason(INCLUDES_OVER_CYCLE_MAX, {"count": count, "maximum": maximum})


def minimums_over_cycle_max(projects: int, maximum: int) -> Reason:
    return Reason(MINIMUMS_OVER_CYCLE_MAX, {"projects": projects, "maximum": maximum})


def includes_over_track_max(track: str, count: int, maximum: int) -> Reason:
    return Reason(INCLUDES_OVER_TRACK_MAX, {"track": track, "count": count, "maximum": maximum})


def includes_over_track_budget(track: str, awarded: int, budget: int) -> Reason:
    return Reason(INCLUDES_OVER_TRACK_BUDGET,
                  {"track": track, "awarded": awarded, "budget": budget})


def includes_over_cap(country: str, count: int, cap: int) -> Reason:
    return Reason(INCLUDES_OVER_CAP, {"country": country, "count": count, "cap": cap})


def track_min_above_max(track: str, minimum: int, maximum: int) -> Reason:
    return Reason(TRACK_MIN_ABOVE_MAX, {"track": track, "minimum": minimum, "maximum": maximum})


def track_min_unreachable(track: str, minimum: int, available: int, capped: bool) -> Reason:
    code = TRACK_MIN_UNREACHABLE_CAPPED if capped else TRACK_MIN_UNREACHABLE
    return Reason(code, {"track": track, "minimum": minimum, "available": available})


def track_budget_too_small(track: str, budget: int, needed: int, minimum: int) -> Reason:
    return Reason(TRACK_BUDGET_TOO_SMALL,
                  {"track": track, "budget": budget, "minimum": minimum, "needed": needed})


def budget_too_small(budget: int, needed: int) -> Reason:
    return Reason(BUDGET_TOO_SMALL, {"budget": budget, "needed": needed})


def cap_blocks_minimums(cap: int) -> Reason:
    return Reason(CAP_BLOCKS_MINIMUMS, {"cap": cap})


def budget_blocks_minimums(budget: int) -> Reason:
    return Reason(BUDGET_BLOCKS_MINIMUMS, {"budget": budget})


def track_budgets_block_minimums() -> Reason:
    return Reason(TRACK_BUDGETS_BLOCK_MINIMUMS)


def constraints_conflict() -> Reason:
    return Reason(CONSTRAINTS_CONFLICT)


def minimum_not_met(track: str, minimum: int, count: int) -> Reason:
    return Reason(MINIMUM_NOT_MET, {"track": track, "minimum": minimum, "count": count})


def no_solution_in_time(seconds: float) -> Reason:
    return Reason(NO_SOLUTION_IN_TIME, {"seconds": seconds})


# -- why a fundable proposal was not selected -------------------------------


# Codes of the reasons a fundable proposal is not selected: the constraint it would break
# (the `constraint` of its `blocked_by` entry), or why nothing stops it.
BLOCKERS: dict[str, str] = {
    "max_per_country": _("country {country} already has its {cap} project(s) ({held_by})"),
    "track_max_projects": _("track {track} is full ({maximum} projects)"),
    "max_projects": _("the cycle is full ({maximum} projects in all)"),
    "track_budget": _("track {track}'s budget is {short} short"),
    "budget": _("the budget is {short} short"),
    "no_gain": _("adding it would not raise the total merit"),
    "not_reached": _("the time limit stopped the search before it was considered"),
}


def blocked_by(detail: dict[str, Any]) -> Reason:
    """The reason of one `blocked_by` entry of an explanation."""
    kind = detail["constraint"]
    if kind == "max_per_country":
        return Reason(kind, {"country": detail["country"], "cap": detail["cap"],
                             "held_by": list(detail["held_by"])})
    if kind == "track_max_projects":
        return Reason(kind, {"track": detail["track"], "maximum": detail["max"]})
    if kind == "max_projects":
        return Reason(kind, {"maximum": detail["max"]})
    if kind == "track_budget":
        return Reason(kind, {"track": detail["track"], "short": detail["short_by"]})
    return Reason("budget", {"short": detail["short_by"]})


def no_gain() -> Reason:
    return Reason("no_gain")


def not_reached() -> Reason:
    return Reason("not_reached")


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

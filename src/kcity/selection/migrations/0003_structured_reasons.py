"""Reasons as codes and values: a scenario stores why it is infeasible as the engine's
reason code and values (beside the result's English words), and each stored explanation
gets its `reasons` (code and values) beside `blocked_by`.

Rows stored before this migration have only the English words.  They are read back here,
once, with the templates the engine used until now (the parser is kept in this file
alone); a reason no template makes keeps an empty code and its words are shown as they
are.  The explanations' reasons come from their `blocked_by` data, no parsing needed.
"""

import re

from django.db import migrations, models

# The English templates of the engine's reasons until this migration, by code.
TEMPLATES = {
    "include_unknown": 'fixed.include: "{id}" is not a proposal of this round',
    "include_not_fundable": 'fixed.include: "{id}" cannot be funded ({reason})',
    "includes_over_budget":
        "budget: the fixed includes alone request {awarded}, more than the budget of {budget}",
    "includes_over_cycle_max":
        "max_projects: {count} fixed includes exceed the cycle's maximum of {maximum} projects",
    "includes_over_track_max":
        "track {track}: {count} fixed includes exceed its maximum of {maximum} projects",
    "includes_over_track_budget":
        "track {track}: the fixed includes request {awarded}, more than its budget of {budget}",
    "includes_over_cap":
        "max_per_country: {count} fixed includes are from {country}, above the cap of {cap}",
    "track_min_above_max":
        "track {track}: its minimum of {minimum} projects is above its maximum of {maximum}",
    "track_min_unreachable_capped":
        "track {track}: minimum of {minimum} projects cannot be reached: only {available} "
        "fundable proposals fit under the country cap",
    "track_min_unreachable":
        "track {track}: minimum of {minimum} projects cannot be reached: only {available} "
        "fundable proposals",
    "track_budget_too_small":
        "track {track}: its budget of {budget} is too small for its minimum of {minimum} "
        "projects (at least {needed} needed)",
    "budget_too_small":
        "budget: {budget} is too small for the fixed includes and track minimums "
        "(at least {needed} needed)",
    "minimums_over_cycle_max":
        "max_projects: the fixed includes and track minimums need {projects} projects, more "
        "than the cycle's maximum of {maximum}",
    "cap_blocks_minimums":
        "max_per_country: with at most {cap} project(s) per country the track minimums "
        "cannot all be met",
    "budget_blocks_minimums":
        "budget: {budget} cannot fund the track minimums together under the track and "
        "country limits",
    "track_budgets_block_minimums":
        "track budgets: the track minimums cannot be met within the track budgets",
    "constraints_conflict":
        "the track minimums, budgets and country cap cannot all be met together",
    "minimum_not_met": "track {track}: minimum of {minimum} projects not met ({count} selected)",
    "no_solution_in_time": "no feasible selection was found within the time limit of {seconds} s",
}
MONEY = {"awarded", "budget", "needed"}
COUNTS = {"count", "maximum", "minimum", "available", "cap", "projects"}


def _pattern(template):
    parts = re.split(r"\{(\w+)\}", template)
    body = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)"
                   for i, part in enumerate(parts))
    return re.compile(f"^{body}$", re.DOTALL)


def _value(name, text):
    if name in MONEY:
        found = re.fullmatch(r"(-?\d{1,3}(?:,\d{3})*) KRW", text)
        return None if found is None else int(found.group(1).replace(",", ""))
    if name in COUNTS:
        return int(text) if re.fullmatch(r"-?\d+", text) else None
    if name == "seconds":
        try:
            return float(text)
        except ValueError:
            return None
    return text


def parse(text):
    """(code, values) of an English reason, or None when no template makes it."""
    for code, template in TEMPLATES.items():
        found = _pattern(template).match(text or "")
        if found:
            values = {name: _value(name, raw) for name, raw in found.groupdict().items()}
            if None not in values.values():
                return code, values
    return None


def blocker_reason(item):
    kind = item.get("constraint")
    if kind == "max_per_country":
        return {"code": kind, "values": {"country": item["country"], "cap": item["cap"],
                                         "held_by": list(item.get("held_by", []))}}
    if kind == "track_max_projects":
        return {"code": kind, "values": {"track": item["track"], "maximum": item["max"]}}
    if kind == "max_projects":
        return {"code": kind, "values": {"maximum": item["max"]}}
    if kind == "track_budget":
        return {"code": kind, "values": {"track": item["track"], "short": item["short_by"]}}
    return {"code": "budget", "values": {"short": item["short_by"]}}


def fill(apps, schema_editor):
    Scenario = apps.get_model("selection", "Scenario")
    for scenario in Scenario.objects.all().iterator():
        changed = []
        reason = (scenario.result or {}).get("reason")
        if reason and not scenario.reason_code:
            parsed = parse(reason)
            if parsed is not None:
                scenario.reason_code, scenario.reason_values = parsed
                changed += ["reason_code", "reason_values"]
        entries = scenario.explanations or []
        if any("reasons" not in entry for entry in entries):
            status = (scenario.result or {}).get("status")
            for entry in entries:
                if "reasons" in entry:
                    continue
                reasons = [blocker_reason(item) for item in entry.get("blocked_by", [])]
                if not reasons:
                    reasons = [{"code": "no_gain" if status == "optimal" else "not_reached",
                                "values": {}}]
                entry["reasons"] = reasons
            changed.append("explanations")
        if changed:
            scenario.save(update_fields=changed)


class Migration(migrations.Migration):

    dependencies = [
        ("selection", "0002_scenario_explanations_requested_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="scenario",
            name="reason_code",
            field=models.CharField(blank=True, default="", max_length=40,
                                   verbose_name="reason code"),
        ),
        migrations.AddField(
            model_name="scenario",
            name="reason_values",
            field=models.JSONField(blank=True, default=dict, verbose_name="reason values"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]

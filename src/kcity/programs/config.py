"""A cycle's configuration as a file: export this year's call, import it as next year's.

The file is JSON (format `kcity-cycle/1`). Dates with a time carry their offset and are
written in KST; on import they are stored in UTC. Every problem is reported with the path
of the offending field, e.g. `tracks[1].grant_min: must be an integer >= 0`, and an import
with any problem writes nothing.
"""

import datetime as dt
import json
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kcity.programs.models import Criterion, Cycle, CycleStatus, Track

FORMAT = "kcity-cycle/1"
KST = ZoneInfo("Asia/Seoul")

# field name -> (kind, required)
CYCLE_FIELDS = {
    "year": ("int", True),
    "status": ("str", False),
    "title_en": ("str", True),
    "title_ko": ("str", True),
    "total_budget": ("money?", False),
    "max_projects": ("int?", False),
    "announced_on": ("date?", False),
    "results_on": ("date?", False),
    "notice_en": ("str", False),
    "notice_ko": ("str", False),
    "notes": ("str", False),
}
TRACK_FIELDS = {
    "code": ("str", True),
    "kind": ("str", True),
    "order": ("int", False),
    "name_en": ("str", True),
    "name_ko": ("str", True),
    "purpose_en": ("str", False),
    "purpose_ko": ("str", False),
    "applicant_types": ("list", True),
    "grant_min": ("money?", False),
    "grant_max": ("money?", False),
    "min_projects": ("int", False),
    "max_projects": ("int?", False),
    "budget": ("money?", False),
    "labour_cost_cap_percent": ("int?", False),
    "intake_mode": ("str", False),
    "opens_at": ("datetime?", False),
    "deadline": ("datetime?", False),
    "cutoff": ("datetime?", False),
    "stages": ("list", True),
    "secretariat": ("str", True),
    "required_documents": ("list", False),
    # Evaluation; optional, so files written before they existed still import (defaults).
    "aggregation": ("str", False),
    "stage_weights": ("dict", False),
    "min_score_threshold": ("int?", False),
}
CRITERION_FIELDS = {
    "code": ("str", True),
    "order": ("int", False),
    "name_en": ("str", True),
    "name_ko": ("str", True),
    "weight": ("int", True),
    "description_en": ("str", False),
    "description_ko": ("str", False),
}


class ConfigError(ValueError):
    """An invalid configuration file; `problems` lists `path: message` lines."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


# ---- export ---------------------------------------------------------------------------------


def _out(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(KST).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def export_cycle(cycle: Cycle) -> dict:
    data = {"format": FORMAT}
    data.update({f: _out(getattr(cycle, f)) for f in CYCLE_FIELDS})
    data["tracks"] = []
    for track in cycle.tracks.order_by("order", "code"):
        item = {f: _out(getattr(track, f)) for f in TRACK_FIELDS}
        item["criteria"] = [
            {f: getattr(c, f) for f in CRITERION_FIELDS}
            for c in track.criteria.order_by("order", "code")
        ]
        data["tracks"].append(item)
    return data


def dumps(cycle: Cycle) -> str:
    return json.dumps(export_cycle(cycle), ensure_ascii=False, indent=2) + "\n"


# ---- import ---------------------------------------------------------------------------------


def _parse_value(kind: str, value, path: str, problems: list[str]):
    nullable = kind.endswith("?")
    base = kind.rstrip("?")
    if value is None:
        if nullable:
            return None
        problems.append(f"{path}: " + _("must not be empty"))
        return None
    if base in {"int", "money"}:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems.append(f"{path}: " + _("must be an integer >= 0"))
            return None
        return value
    if base == "str":
        if not isinstance(value, str):
            problems.append(f"{path}: " + _("must be text"))
            return None
        return value
    if base == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: " + _("must be a list"))
            return None
        return value
    if base == "dict":
        if not isinstance(value, dict):
            problems.append(f"{path}: " + _("must be an object"))
            return None
        return value
    if base == "date":
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            problems.append(f"{path}: " + _("must be a date like 2024-04-17"))
            return None
    if base == "datetime":
        try:
            moment = dt.datetime.fromisoformat(value)
        except (TypeError, ValueError):
            moment = None
        if moment is None or moment.tzinfo is None:
            problems.append(
                f"{path}: "
                + _("must be a date and time with its offset, like 2024-03-18T18:00:00+09:00")
            )
            return None
        return moment.astimezone(dt.UTC)
    raise AssertionError(kind)


def _parse_object(obj, spec: dict, path: str, problems: list[str]) -> dict:
    prefix = f"{path}." if path else ""
    if not isinstance(obj, dict):
        problems.append(f"{path or '(file)'}: " + _("must be an object"))
        return {}
    allowed = set(spec) | {"tracks", "criteria", "format"}
    for key in obj:
        if key not in allowed:
            problems.append(f"{prefix}{key}: " + _("unknown field"))
    values = {}
    for name, (kind, required) in spec.items():
        if name not in obj:
            if required:
                problems.append(f"{prefix}{name}: " + _("is required"))
            continue
        values[name] = _parse_value(kind, obj[name], f"{prefix}{name}", problems)
    return values


def _check_evaluation(values: dict, path: str, problems: list[str]) -> None:
    """Stage weights name stages of the track, are whole percents and add up to 100; the
    threshold is a score out of 100. (The aggregation is checked against its choices by the
    model.)"""
    weights = values.get("stage_weights")
    if isinstance(weights, dict) and weights:
        stages = values.get("stages") if isinstance(values.get("stages"), list) else []
        valid = True
        for stage, weight in weights.items():
            if stage not in stages:
                problems.append(f"{path}.stage_weights.{stage}: "
                                + _("not a stage of this track"))
                valid = False
            if isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= 100:
                problems.append(f"{path}.stage_weights.{stage}: "
                                + _("must be an integer from 0 to 100"))
                valid = False
        if valid and sum(weights.values()) != 100:
            problems.append(f"{path}.stage_weights: " + _("must add up to 100"))
    elif weights is None and "stage_weights" in values:
        values.pop("stage_weights")  # reported already; the default keeps the model valid
    threshold = values.get("min_score_threshold")
    if isinstance(threshold, int) and threshold > 100:
        problems.append(f"{path}.min_score_threshold: " + _("must be from 0 to 100"))


def _shift(value, years: int):
    if value is None or years == 0:
        return value
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February
        return value.replace(year=value.year + years, day=28)


def _check_model(instance, path: str, exclude: list[str], problems: list[str]) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        prefix = f"{path}." if path else ""
        for field, messages in exc.message_dict.items():
            for message in messages:
                problems.append(f"{prefix}{field}: {message}")


def parse(text: str) -> dict:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError([_("(file): not valid JSON: %(error)s") % {"error": exc}]) from None
    return data


def import_cycle(data: dict, *, year: int | None = None, replace: bool = False) -> Cycle:
    """Create (or, with replace, overwrite) a cycle from an exported configuration.

    With `year`, the configuration becomes that year's draft call: every date moves by the
    same number of years and the status starts again at draft.
    """
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ConfigError(["(file): " + _("must be an object")])
    if data.get("format") != FORMAT:
        problems.append("format: " + _("must be %(format)s") % {"format": FORMAT})
    cycle_values = _parse_object(data, CYCLE_FIELDS, "", problems)
    tracks_raw = data.get("tracks")
    if not isinstance(tracks_raw, list) or not tracks_raw:
        problems.append("tracks: " + _("must be a non-empty list"))
        tracks_raw = []
    shift = 0
    if year is not None and cycle_values.get("year") is not None:
        shift = year - cycle_values["year"]
        for key in ("title_en", "title_ko"):  # "2026 K-City Network ..." -> "2027 ..."
            if isinstance(cycle_values.get(key), str):
                cycle_values[key] = cycle_values[key].replace(
                    str(cycle_values["year"]), str(year)
                )
        cycle_values["year"] = year
        cycle_values["status"] = CycleStatus.DRAFT
        for key in ("announced_on", "results_on"):
            cycle_values[key] = _shift(cycle_values.get(key), shift)
    cycle = Cycle(**cycle_values)
    _check_model(cycle, "", [], problems)

    tracks, codes = [], set()
    for i, raw in enumerate(tracks_raw):
        path = f"tracks[{i}]"
        values = _parse_object(raw, TRACK_FIELDS, path, problems)
        for key in ("opens_at", "deadline", "cutoff"):
            values[key] = _shift(values.get(key), shift)
        _check_evaluation(values, path, problems)
        track = Track(**values)
        if track.code in codes:
            problems.append(f"{path}.code: " + _("duplicate code %(code)s") % {"code": track.code})
        codes.add(track.code)
        _check_model(track, path, ["cycle"], problems)
        criteria, ccodes = [], set()
        raw_criteria = raw.get("criteria", []) if isinstance(raw, dict) else []
        if not isinstance(raw_criteria, list):
            problems.append(f"{path}.criteria: " + _("must be a list"))
            raw_criteria = []
        for j, raw_c in enumerate(raw_criteria):
            cpath = f"{path}.criteria[{j}]"
            cvalues = _parse_object(raw_c, CRITERION_FIELDS, cpath, problems)
            criterion = Criterion(**cvalues)
            if criterion.code in ccodes:
                duplicate = _("duplicate code %(code)s") % {"code": criterion.code}
                problems.append(f"{cpath}.code: {duplicate}")
            ccodes.add(criterion.code)
            _check_model(criterion, cpath, ["track"], problems)
            criteria.append(criterion)
        tracks.append((track, criteria))

    existing = Cycle.objects.filter(year=cycle.year).first()
    if existing and not replace:
        problems.append(
            "year: " + _("the cycle %(year)s exists already (import with replace to overwrite it)")
            % {"year": cycle.year}
        )
    if problems:
        raise ConfigError(problems)

    with transaction.atomic():
        if existing:
            cycle.pk = existing.pk
            existing.tracks.all().delete()
        cycle.save()
        for track, criteria in tracks:
            track.cycle = cycle
            track.save()
            for criterion in criteria:
                criterion.track = track
                criterion.save()
    return cycle


def loads(text: str, **kwargs) -> Cycle:
    return import_cycle(parse(text), **kwargs)

"""Pure arithmetic of the evaluation: aggregating scores, dispersion, outliers, stages.

Decimals throughout so a worked example in a test gives exactly the figure on paper.
"""

import statistics
from decimal import ROUND_HALF_UP, Decimal

MEAN, TRIMMED_MEAN, MEDIAN = "mean", "trimmed_mean", "median"
TWO = Decimal("0.01")


def q(value) -> Decimal:
    return Decimal(value).quantize(TWO, rounding=ROUND_HALF_UP)


def aggregate(points: list, method: str) -> Decimal:
    """One criterion's panel score. A trimmed mean drops one highest and one lowest score,
    as Korean public evaluations do; with fewer than three scores nothing can be dropped and
    it is the plain mean."""
    values = sorted(Decimal(p) for p in points)
    if not values:
        raise ValueError("no scores to aggregate")
    if method == MEDIAN:
        return q(statistics.median(values))
    if method == TRIMMED_MEAN and len(values) >= 3:
        values = values[1:-1]
    elif method not in (MEAN, TRIMMED_MEAN):
        raise ValueError(f"unknown aggregation {method!r}")
    return q(sum(values) / len(values))


def dispersion(points: list) -> dict:
    """Standard deviation (population) and range of one criterion's scores."""
    values = [Decimal(p) for p in points]
    if not values:
        return {"std_dev": None, "range": None}
    return {
        "std_dev": q(statistics.pstdev(values)) if len(values) > 1 else q(0),
        "range": q(max(values) - min(values)),
    }


def outliers(points: dict, weight) -> set:
    """The keys whose score lies far from the others: more than twice the median absolute
    deviation from the median, or more than a quarter of the criterion's weight away."""
    if len(points) < 3:
        return set()
    values = [Decimal(v) for v in points.values()]
    median = statistics.median(values)
    mad = statistics.median([abs(v - median) for v in values])
    limit = Decimal(weight) / 4
    return {
        key for key, v in points.items()
        if (mad > 0 and abs(Decimal(v) - median) > 2 * mad) or abs(Decimal(v) - median) > limit
    }


def stage_score(per_criterion: dict, weights: dict) -> Decimal:
    """The stage score out of 100: the aggregated points over the criteria's total weight."""
    total = sum(Decimal(w) for w in weights.values())
    if not total:
        return q(0)
    got = sum(Decimal(per_criterion[c]) for c in weights if c in per_criterion)
    return q(got * 100 / total)


def combine_stages(stage_scores: dict, stage_weights: dict) -> Decimal:
    """The final score: the track's weighted combination of the stage scores known so far,
    e.g. 40 % paper review and 60 % presentation. Stages without a configured weight count
    equally when no stage has one."""
    if not stage_scores:
        return q(0)
    weighted = {s: Decimal(stage_weights.get(s, 0)) for s in stage_scores}
    if not any(weighted.values()):
        weighted = dict.fromkeys(stage_scores, Decimal(1))
    total = sum(weighted.values())
    return q(sum(Decimal(stage_scores[s]) * w for s, w in weighted.items()) / total)

"""Aggregation rules on worked examples (figures as they would be computed on paper)."""

from decimal import Decimal as D

import pytest

from kcity.evaluation import aggregation as agg

SCORES = [D(12), D(18), D(20), D(15), D(25)]  # one criterion, weight 25, five evaluators


def test_mean():
    # (12 + 18 + 20 + 15 + 25) / 5 = 90 / 5
    assert agg.aggregate(SCORES, agg.MEAN) == D("18.00")


def test_trimmed_mean_drops_highest_and_lowest():
    # drop 12 and 25: (15 + 18 + 20) / 3 = 53 / 3 = 17.666...
    assert agg.aggregate(SCORES, agg.TRIMMED_MEAN) == D("17.67")


def test_trimmed_mean_drops_only_one_of_equal_extremes():
    # 10, 10, 14, 20, 20 -> 10, 14, 20 -> 44 / 3
    assert agg.aggregate([10, 10, 14, 20, 20], agg.TRIMMED_MEAN) == D("14.67")


def test_trimmed_mean_of_two_is_the_mean():
    assert agg.aggregate([D("10.5"), D(12)], agg.TRIMMED_MEAN) == D("11.25")


def test_median_odd_and_even():
    assert agg.aggregate(SCORES, agg.MEDIAN) == D("18.00")
    # 12, 15, 18, 20 -> (15 + 18) / 2
    assert agg.aggregate(SCORES[:4], agg.MEDIAN) == D("16.50")


def test_unknown_method_and_no_scores_are_errors():
    with pytest.raises(ValueError):
        agg.aggregate(SCORES, "max")
    with pytest.raises(ValueError):
        agg.aggregate([], agg.MEAN)


def test_dispersion():
    d = agg.dispersion([D(10), D(20)])
    assert d == {"std_dev": D("5.00"), "range": D("10.00")}


def test_outliers_by_mad_and_by_quarter_of_weight():
    # median 18, deviations 6, 0, 2, 3, 7 -> MAD 3; |25-18| = 7 > 6 and |12-18| = 6 is not > 6
    points = dict(zip("abcde", SCORES, strict=True))
    assert agg.outliers(points, 25) == {"e"}
    # equal scores except one: MAD 0, but 20 points off on weight 25 is more than 6.25
    assert agg.outliers({"a": 20, "b": 20, "c": 20, "d": 0}, 25) == {"d"}
    assert agg.outliers({"a": 20, "b": 20, "c": 18}, 25) == set()


def test_stage_score_and_combination():
    per = {"a": "20", "b": "15"}
    assert agg.stage_score(per, {"a": 25, "b": 25}) == D("70.00")
    # 40 % documents at 70 and 60 % presentation at 85: 28 + 51
    assert agg.combine_stages({"paper_review": D(70), "presentation": D(85)},
                              {"paper_review": 40, "presentation": 60}) == D("79.00")
    # only the first stage known so far: its score
    assert agg.combine_stages({"paper_review": D(70)},
                              {"paper_review": 40, "presentation": 60}) == D("70.00")
    # no weights configured: the stages count equally
    assert agg.combine_stages({"x": D(70), "y": D(80)}, {}) == D("75.00")

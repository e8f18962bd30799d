"""The explanation data of the engine in the secretariat's words, exact and bounded."""

import importlib

from django.utils import translation

from kcity.selection.engine import messages as m
from kcity.selection.selectors import explanation_text

M = 1_000_000
BLOCKED = [{"constraint": "max_per_country", "country": "VN", "cap": 1, "held_by": ["7"]},
           {"constraint": "budget", "short_by": 150 * M}]
REASONS = [m.blocked_by(item).as_dict() for item in BLOCKED]


def test_an_exact_change_is_the_smallest_one():
    entry = {"id": "9", "blocked_by": BLOCKED, "reasons": REASONS,
             "changes": [{"change": "budget", "increase": 150 * M},
                         {"change": "max_per_country", "to": 2}]}
    text = explanation_text(entry, {"7": "Hue smart traffic"})
    assert text == ("Not selected: country VN already has 1 project(s) (Hue smart traffic); "
                    "the budget is short by 150,000,000 KRW. Smallest change that selects "
                    "it: raise the budget by 150,000,000 KRW or allow 2 projects per country.")


def test_a_change_not_proven_smallest_says_what_is_proven():
    entry = {"id": "9", "blocked_by": BLOCKED, "reasons": REASONS, "exact": False, "changes": [
        {"change": "budget", "exact": False, "increase_at_least": 120 * M,
         "increase": 300 * M},
        {"change": "track_max_projects", "track": "PLAN", "exact": False, "to_at_least": 5},
    ]}
    text = explanation_text(entry, {})
    assert ("Changes that select it: raise the budget by 300,000,000 KRW (the smallest such "
            "increase is at least 120,000,000 KRW).") in text
    assert ("Not determined in the time allowed: no maximum of track PLAN below 5 selects "
            "it.") in text
    assert "Smallest change" not in text and "No single change" not in text


def test_the_words_are_korean_for_a_korean_reader():
    entry = {"id": "9", "blocked_by": BLOCKED, "reasons": REASONS, "changes": [
        {"change": "budget", "exact": False, "increase_at_least": 120 * M}]}
    with translation.override("ko"):
        text = explanation_text(entry, {})
    assert "Not selected" not in text and "time allowed" not in text
    assert "1억 2,000만 원 미만으로 늘려서는 선정되지 않음" in text


def _every_reason():
    return [
        m.include_unknown("p7"), m.include_not_fundable("p7", "ineligible"),
        m.includes_over_budget(900 * M, 800 * M), m.includes_over_track_max("PLAN", 5, 4),
        m.includes_over_track_budget("PLAN", 900 * M, 800 * M),
        m.includes_over_cap("VN", 3, 1), m.track_min_above_max("PLAN", 5, 4),
        m.track_min_unreachable("PLAN", 3, 1, capped=True),
        m.track_min_unreachable("PLAN", 3, 1, capped=False),
        m.track_budget_too_small("DEMO", 300 * M, 400 * M, 1),
        m.budget_too_small(100 * M, 2_300 * M), m.cap_blocks_minimums(1),
        m.budget_blocks_minimums(100 * M), m.track_budgets_block_minimums(),
        m.constraints_conflict(), m.minimum_not_met("PLAN", 3, 2), m.no_solution_in_time(10.0),
        m.includes_over_cycle_max(9, 8), m.minimums_over_cycle_max(9, 8),
    ]


def test_every_reason_has_a_code_its_values_and_both_languages():
    from kcity.selection.selectors import reason_text

    made = _every_reason()
    assert sorted(r.code for r in made) == sorted(m.REASONS), "one sample per reason code"
    for reason in made:
        with translation.override("en"):
            english = reason_text(reason.code, reason.values)
        if reason.code == "include_not_fundable":  # the not-fundable code said in words
            assert english == ('fixed.include: "p7" cannot be funded (ineligible or below '
                               "the track's threshold)")
        else:
            assert english == reason.text()
        with translation.override("ko"):
            korean = reason_text(reason.code, reason.values)
        assert korean and korean != reason.text(), reason.code


def test_the_migration_reads_every_stored_english_reason_back_to_its_code():
    """0003_structured_reasons fills the code of rows stored with words only: each reason
    the engine words reads back to its code and values."""
    migration = importlib.import_module("kcity.selection.migrations.0003_structured_reasons")
    for reason in _every_reason():
        assert migration.parse(reason.text()) == (reason.code, reason.values)
    assert migration.parse("an older result's own words") is None


def test_the_reason_of_an_infeasible_result_is_shown_in_the_readers_language():
    from kcity.selection.selectors import reason_text, status_label

    reason = m.budget_too_small(100 * M, 2_300 * M)
    with translation.override("en"):
        assert reason_text(reason.code, reason.values) == reason.text()
        assert status_label("infeasible") == "infeasible"
    with translation.override("ko"):
        assert reason_text(reason.code, reason.values) == (
            "예산: 1억 원(으)로는 반드시 포함할 제안서와 유형별 최소 사업 수를 지원할 수 "
            "없습니다(최소 23억 원 필요)")
        included = m.include_not_fundable("p7", "ineligible")
        assert reason_text(included.code, included.values).endswith(
            "지원할 수 없습니다(부적격 또는 유형별 기준 점수 미달)")
        assert status_label("infeasible") == "실행 불가"


def test_the_cycle_maximum_in_the_secretariats_words():
    blocked = [{"constraint": "max_projects", "max": 8}]
    reasons = [m.blocked_by(item).as_dict() for item in blocked]
    entry = {"id": "9", "blocked_by": blocked, "reasons": reasons,
             "changes": [{"change": "max_projects", "to": 9}]}
    assert explanation_text(entry, {}) == ("Not selected: the cycle is full at 8 projects in "
                                           "all. Smallest change that selects it: allow 9 "
                                           "projects in all.")
    bounded = {"id": "9", "blocked_by": blocked, "reasons": reasons, "exact": False,
               "changes": [{"change": "max_projects", "exact": False, "to_at_least": 9}]}
    assert ("Not determined in the time allowed: no maximum of the cycle below 9 projects "
            "selects it.") in explanation_text(bounded, {})
    with translation.override("ko"):
        text = explanation_text(entry, {})
    assert "cycle" not in text and "8" in text and "9" in text

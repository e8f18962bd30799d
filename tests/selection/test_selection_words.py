"""The explanation data of the engine in the secretariat's words, exact and bounded."""

from django.utils import translation

from kcity.selection.selectors import explanation_text

M = 1_000_000
BLOCKED = [{"constraint": "max_per_country", "country": "VN", "cap": 1, "held_by": ["7"]},
           {"constraint": "budget", "short_by": 150 * M}]


def test_an_exact_change_is_the_smallest_one():
    entry = {"id": "9", "blocked_by": BLOCKED,
             "changes": [{"change": "budget", "increase": 150 * M},
                         {"change": "max_per_country", "to": 2}]}
    text = explanation_text(entry, {"7": "Hue smart traffic"})
    assert text == ("Not selected: country VN already has 1 project(s) (Hue smart traffic); "
                    "the budget is short by 150,000,000 KRW. Smallest change that selects "
                    "it: raise the budget by 150,000,000 KRW or allow 2 projects per country.")


def test_a_change_not_proven_smallest_says_what_is_proven():
    entry = {"id": "9", "blocked_by": BLOCKED, "exact": False, "changes": [
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
    entry = {"id": "9", "blocked_by": BLOCKED, "changes": [
        {"change": "budget", "exact": False, "increase_at_least": 120 * M}]}
    with translation.override("ko"):
        text = explanation_text(entry, {})
    assert "Not selected" not in text and "time allowed" not in text
    assert "1억 2,000만 원 미만으로 늘려서는 선정되지 않음" in text


def test_every_infeasibility_reason_reads_back_to_its_template_and_values():
    from kcity.selection.engine import messages as m

    made = [
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
    templates = [m.parse_reason(text)[0] for text in made]
    assert sorted(templates) == sorted(m.REASONS), "one sample per reason template"
    for text in made:
        template, values = m.parse_reason(text)
        assert template.format(**values) == text
    assert m.parse_reason("something the engine never says") is None
    assert m.parse_krw("2,300,000,000 KRW") == 2_300 * M and m.parse_krw("PLAN") is None


def test_the_reason_of_an_infeasible_result_is_shown_in_the_readers_language():
    from kcity.selection.engine import messages as m
    from kcity.selection.selectors import reason_text, status_label

    reason = m.budget_too_small(100 * M, 2_300 * M)
    with translation.override("en"):
        assert reason_text(reason) == reason
        assert status_label("infeasible") == "infeasible"
    with translation.override("ko"):
        assert reason_text(reason) == ("예산: 1억 원(으)로는 반드시 포함할 제안서와 유형별 최소 "
                                       "사업 수를 지원할 수 없습니다(최소 23억 원 필요)")
        assert reason_text(m.include_not_fundable("p7", "ineligible")).endswith(
            "지원할 수 없습니다(부적격 또는 유형별 기준 점수 미달)")
        assert status_label("infeasible") == "실행 불가"
        assert reason_text("an older result's own words") == "an older result's own words"


def test_the_cycle_maximum_in_the_secretariats_words():
    entry = {"id": "9", "blocked_by": [{"constraint": "max_projects", "max": 8}],
             "changes": [{"change": "max_projects", "to": 9}]}
    assert explanation_text(entry, {}) == ("Not selected: the cycle is full at 8 projects in "
                                           "all. Smallest change that selects it: allow 9 "
                                           "projects in all.")
    bounded = {"id": "9", "blocked_by": [{"constraint": "max_projects", "max": 8}],
               "exact": False,
               "changes": [{"change": "max_projects", "exact": False, "to_at_least": 9}]}
    assert ("Not determined in the time allowed: no maximum of the cycle below 9 projects "
            "selects it.") in explanation_text(bounded, {})
    with translation.override("ko"):
        text = explanation_text(entry, {})
    assert "cycle" not in text and "8" in text and "9" in text

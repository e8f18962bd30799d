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

"""The draw is a pure function: reproducible from its seed, never conflicted, balanced."""

from collections import Counter

import pytest

from kcity.evaluation.draw import draw_panel

POOL = [
    (1, ["urban_planning"]), (2, ["urban_planning"]), (3, ["urban_planning"]),
    (4, ["ict"]), (5, ["ict"]), (6, ["finance"]), (7, ["finance", "ict"]), (8, []),
    (9, ["environment"]), (10, ["urban_planning", "environment"]),
]


@pytest.mark.parametrize("seed", [0, 1, 42, 2027, 2**40])
def test_same_seed_same_panel(seed):
    first = draw_panel(POOL, 5, seed, conflicts={3})
    again = draw_panel(list(reversed(POOL)), 5, seed, conflicts=[3])
    assert first == again
    assert len(first) == 5 and len(set(first)) == 5


def test_different_seeds_give_different_panels():
    panels = {tuple(draw_panel(POOL, 4, seed)) for seed in range(30)}
    assert len(panels) > 10


@pytest.mark.parametrize("seed", range(200))
def test_never_picks_a_conflicted_expert(seed):
    conflicts = {1, 4, 6, 10}
    drawn = draw_panel(POOL, 6, seed, conflicts)
    assert not set(drawn) & conflicts
    assert len(drawn) == 6  # 6 eligible: all of them


def test_too_few_eligible_gives_a_short_list():
    assert sorted(draw_panel(POOL, 5, 7, conflicts=range(1, 8))) == [8, 9, 10]


@pytest.mark.parametrize("seed", range(50))
def test_fields_are_balanced(seed):
    """Four experts from four fields (one each when possible), though half the pool is
    urban planning."""
    pool = [(i, ["urban_planning"]) for i in range(10)] + [
        (10, ["ict"]), (11, ["finance"]), (12, ["environment"]),
    ]
    drawn = draw_panel(pool, 4, seed)
    fields = Counter(dict(pool)[k][0] for k in drawn)
    assert fields == Counter({"urban_planning": 1, "ict": 1, "finance": 1, "environment": 1})

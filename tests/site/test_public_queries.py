"""The public pages cost a fixed, small number of queries whatever the data (no N+1): the
home page, the calls, a call's notice, the published results and the kept PDF notice.
(Their speed at 20x the data: benchmarks/portfolio_scale.py.)"""

import pytest

from kcity.programs.models import Cycle
from kcity.selection.demo import RESULTS_YEAR

PAGES = [
    ("/{lang}/", 3),
    ("/{lang}/calls/", 3),
    (f"/{{lang}}/results/{RESULTS_YEAR}/", 4),
    (f"/{{lang}}/results/{RESULTS_YEAR}/notice.pdf", 4),  # kept: no render
    ("/{lang}/statistics/", 2),  # kept: the data's fingerprint, the public reports
    ("/{lang}/portfolio/years/", 4),
    ("/{lang}/portfolio/map/", 2),
]


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize(("url", "most"), PAGES)
def test_a_public_page_costs_few_queries(client, demo, django_assert_max_num_queries,
                                         url, most, lang):
    url = url.format(lang=lang)
    assert client.get(url).status_code == 200  # the first request may fill what is kept
    with django_assert_max_num_queries(most):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_call_notice_costs_few_queries(client, demo, django_assert_max_num_queries, lang):
    years = list(Cycle.objects.values_list("year", flat=True))
    assert len(years) >= 6
    for year in years:
        with django_assert_max_num_queries(4):
            assert client.get(f"/{lang}/calls/{year}/").status_code == 200

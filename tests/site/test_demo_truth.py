"""The demo tells the truth: the real years show only the real history; the made-up data
live in future cycles marked as demos, made through the services, and say so on every
public page."""

import io

import pytest
from pypdf import PdfReader

from evaluated_world import evaluated_directly
from kcity.accounts.models import User
from kcity.applications.models import Proposal, ProposalEvent, Submission
from kcity.applications.models import ProposalState as S
from kcity.evaluation.models import (
    ConflictDeclaration,
    ConsultationRound,
    EvaluationEvent,
    Panel,
    PanelResult,
    ScoreSheet,
)
from kcity.opendata.selectors import counted, portfolio, programme_totals
from kcity.portfolio.history import read_history, yearly_totals
from kcity.programs.models import Cycle
from kcity.selection.demo import DEMONSTRATION, PLANNING, RESULTS_YEAR
from kcity.selection.models import Outcome, Scenario, SelectionEvent, SelectionRound
from kcity.site.demo import OldDemoData, history_file, load_demo

BANNER = {"en": "Demo — made-up data", "ko": "데모 — 가상 데이터"}
REAL_YEARS = [2021, 2023, 2024, 2025, 2026]
DEMO_TITLES = ([f"Smart city master plan for {row[0]}" for row in PLANNING]
               + [f"{row[0]} for {row[1]}" for row in DEMONSTRATION])


def test_the_real_cycles_are_real_and_the_demo_cycles_are_future_years(demo):
    assert sorted(Cycle.objects.filter(is_demo=False).values_list("year", flat=True)) == \
        REAL_YEARS
    last_real = max(r.year for r in read_history(history_file()))
    demo_years = sorted(Cycle.objects.filter(is_demo=True).values_list("year", flat=True))
    assert demo_years == [2027, 2028] == demo["demo_cycles"]
    assert all(year > last_real for year in demo_years)


@pytest.mark.parametrize("year", REAL_YEARS)
def test_a_real_cycle_carries_no_demo_rows(demo, year):
    cycle = Cycle.objects.get(year=year)
    assert not Proposal.objects.filter(cycle=cycle).exists()
    assert not Panel.objects.filter(track__cycle=cycle).exists()
    assert not SelectionRound.objects.filter(cycle=cycle).exists()
    assert not Scenario.objects.filter(round__cycle=cycle).exists()
    assert not Outcome.objects.filter(round__cycle=cycle).exists()


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_real_results_pages_show_no_made_up_winners(client, demo, lang):
    for year in REAL_YEARS:
        assert client.get(f"/{lang}/results/{year}/").status_code == 404
        assert client.get(f"/{lang}/results/{year}/notice.pdf").status_code == 404
        call = client.get(f"/{lang}/calls/{year}/").content.decode()
        assert BANNER[lang] not in call and 'id="demo-banner"' not in call
    home = client.get(f"/{lang}/").content.decode()
    assert not [title for title in DEMO_TITLES if title in home]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_public_page_of_a_demo_cycle_says_so(client, demo, lang):
    other = BANNER["ko" if lang == "en" else "en"]
    for year in (2027, 2028):
        call = client.get(f"/{lang}/calls/{year}/").content.decode()
        assert 'id="demo-banner"' in call and BANNER[lang] in call and other not in call
    results = client.get(f"/{lang}/results/{RESULTS_YEAR}/").content.decode()
    assert 'id="demo-banner"' in results and BANNER[lang] in results
    assert DEMO_TITLES[0] in results  # the made-up winners are there, under the banner
    calls = client.get(f"/{lang}/calls/").content.decode()
    row = calls[calls.index('data-track="2028-PLAN"'):]
    assert BANNER[lang] in row[:row.index("</tr>")]
    real = calls[calls.index('data-track="2026-PLAN"'):]
    assert BANNER[lang] not in real[:real.index("</tr>")]


def test_the_notice_pdf_of_the_demo_cycle_says_so(client, demo):
    pdf = client.get(f"/en/results/{RESULTS_YEAR}/notice.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Demo" in text and "made-up data" in text and "invented" in text


def test_the_demo_round_went_through_the_services(demo):
    cycle = Cycle.objects.get(year=RESULTS_YEAR)
    round = SelectionRound.objects.get(cycle=cycle)
    assert round.is_published and cycle.status == "results"
    actions = set(SelectionEvent.objects.filter(round=round).values_list("action", flat=True))
    assert {"round_created", "scenario_created", "scenario_approved", "published"} <= actions
    outcomes = Outcome.objects.filter(round=round)
    assert outcomes.filter(outcome="selected").count() >= 4
    assert outcomes.filter(outcome="reserve").exists()
    proposals = Proposal.objects.filter(cycle=cycle)
    assert sorted(proposals.values_list("title", flat=True)) == sorted(DEMO_TITLES)
    for p in proposals:
        # created, submitted (with a receipt), screened, evaluated and decided by services
        assert Submission.objects.filter(proposal=p).count() == 1
        path = list(ProposalEvent.objects.filter(proposal=p).order_by("pk")
                    .values_list("to_state", flat=True))
        assert path[:4] == [S.SUBMITTED, S.ELIGIBLE, S.UNDER_EVALUATION, S.EVALUATED], path
        assert path[-1] == p.state and p.state in (S.SELECTED, S.RESERVE, S.NOT_SELECTED)
        assert ConflictDeclaration.objects.filter(proposal=p).exists()
    panels = Panel.objects.filter(track__cycle=cycle)
    assert {(p.track.code, p.stage) for p in panels} == {
        ("PLAN", "consultation_1"), ("DEMO", "paper_review"), ("DEMO", "presentation")}
    for panel in panels:
        assert panel.is_closed and panel.results_released
        assert panel.members.filter(active=True).count() == panel.size >= 3
        assert ScoreSheet.objects.filter(panel=panel, submitted_at__isnull=False).count() >= \
            panel.proposals.count() * 2
        assert PanelResult.objects.filter(panel=panel).count() == panel.proposals.count()
        events = set(EvaluationEvent.objects.filter(panel=panel).values_list("action",
                                                                            flat=True))
        assert {"panel_formed", "sheet_submitted", "panel_closed"} <= events
    presentation = panels.get(stage="presentation")
    assert presentation.slots.count() == presentation.proposals.count() > 0
    assert ConsultationRound.objects.filter(proposal__cycle=cycle, round=1).exclude(
        minutes="").count() == proposals.filter(track__code="PLAN").count()


def test_the_demo_results_never_count_in_the_record(client, demo):
    history = read_history(history_file())
    expected = yearly_totals(history)
    assert not counted().filter(paperwork__isnull=False).exists()
    # The demo's projects are in the one portfolio, marked as demos, and never in the record.
    demo_rows = portfolio(include_demo=True).filter(is_demo=True)
    assert demo_rows.exists() and set(demo_rows.values_list("year", flat=True)) == {RESULTS_YEAR}
    totals = programme_totals()
    assert totals["years"] == expected
    assert totals["projects"] == len(history)
    home = client.get("/en/").content.decode()
    assert f'<span class="figure" id="total-projects">{len(history)}</span>' in home
    # Were 2027 a real cycle, its published winners would join the record.
    Cycle.objects.filter(year=RESULTS_YEAR).update(is_demo=False)
    selected = Outcome.objects.filter(round__cycle__year=RESULTS_YEAR, outcome="selected")
    assert sorted(counted().filter(paperwork__isnull=False).values_list("title", flat=True)) == \
        sorted(o.proposal.title for o in selected)
    assert programme_totals()["projects"] == len(history) + selected.count()


def test_each_demo_role_has_something_to_do(demo):
    company = User.objects.get(username="company-applicant")
    assert Proposal.objects.filter(created_by=company, state=S.DRAFT,
                                   cycle__is_demo=True).exists()
    gov = User.objects.get(username="gov-applicant")
    assert Proposal.objects.filter(created_by=gov, state=S.SELECTED,
                                   cycle__year=RESULTS_YEAR).exists()
    partner = User.objects.get(username="partner")
    assert Proposal.objects.filter(members__email=partner.email, members__confirmed_at=None,
                                   cycle__is_demo=True).exists()
    evaluator = User.objects.get(username="evaluator")
    open_seat = Panel.objects.get(members__evaluator=evaluator, status="open")
    done = ScoreSheet.objects.filter(panel=open_seat, evaluator=evaluator,
                                     submitted_at__isnull=False).count()
    assert done < open_seat.proposals.count()
    assert Proposal.objects.filter(state=S.SUBMITTED, cycle__is_demo=True).exists()


def test_loading_again_adds_nothing(demo):
    models = [Cycle, Proposal, ProposalEvent, Submission, Panel, ScoreSheet, PanelResult,
              SelectionRound, Scenario, Outcome, SelectionEvent, EvaluationEvent]
    before = {m: m.objects.count() for m in models}
    assert load_demo() == demo
    assert {m: m.objects.count() for m in models} == before


def test_a_database_of_an_earlier_demo_is_refused_not_mixed(demo):
    """Earlier demos wrote made-up rounds into 2025 and 2026: the loader names the years and
    asks for a fresh database instead of mixing them with the real record."""
    evaluated_directly(Cycle.objects.get(year=2025))
    before = Proposal.objects.count()
    with pytest.raises(OldDemoData, match=r"real years \(2025\).*run the demo again"):
        load_demo()
    assert Proposal.objects.count() == before

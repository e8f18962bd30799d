"""Issue 15 item 9: the content form of a demonstration proposal (as of a planning one) cites
an earlier K-City study: a project chosen from the public portfolio's planning studies, or a
link for a study the portfolio lacks; in English and Korean."""

import pytest

from kcity.applications import receipts, services
from kcity.applications.forms import ProposalContentForm
from kcity.applications.models import Proposal
from kcity.portfolio import selectors as portfolio
from kcity.portfolio.models import SelectedProject
from kcity.site.demo import load_history

LABELS = {"en": ("Earlier K-City study (portfolio)", "Earlier K-City study (link)",
                 "None from the portfolio"),
          "ko": ("이전 K-City 연구(포트폴리오)", "이전 K-City 연구(링크)",
                 "포트폴리오에서 선택하지 않음")}


@pytest.fixture
def draft(demo_track, users):
    return services.create_proposal(by=users["company-applicant"], track=demo_track,
                                    title="Study crossing")


def test_the_demonstration_form_offers_the_portfolio_studies_in_both_languages(
        client, draft, users):
    studies = portfolio.earlier_studies(draft.cycle.year)
    assert studies.exists()
    assert set(studies.values_list("track_kind", flat=True)) == {"planning"}
    demonstration = SelectedProject.objects.filter(track_kind="demonstration").first()
    client.force_login(users["company-applicant"])
    for lang, (project_label, url_label, empty) in LABELS.items():
        page = client.get(f"/{lang}/proposals/{draft.pk}/edit/")
        assert page.status_code == 200
        body = page.content.decode()
        assert 'name="prior_study_project"' in body and 'name="prior_study_url"' in body
        assert project_label in body and url_label in body and empty in body
        for study in studies:
            assert f'<option value="{study.pk}"' in body
        assert f'<option value="{demonstration.pk}"' not in body
    lublin = studies.get(city="Lublin")
    ko = client.get(f"/ko/proposals/{draft.pk}/edit/").content.decode()
    assert "2026 · Lublin, 폴란드" in ko
    en = client.get(f"/en/proposals/{draft.pk}/edit/").content.decode()
    assert "2026 · Lublin, Poland" in en and lublin.title in en


def test_saving_a_portfolio_study_and_refusing_one_not_offered(client, draft, users):
    study = portfolio.earlier_studies(draft.cycle.year).first()
    demonstration = SelectedProject.objects.filter(track_kind="demonstration").first()
    client.force_login(users["company-applicant"])
    url = f"/en/proposals/{draft.pk}/edit/"
    refused = client.post(url, {"title": "Study crossing", "prior_study_project": demonstration.pk})
    assert "Select a valid choice" in refused.content.decode()
    assert Proposal.objects.get(pk=draft.pk).prior_study_project_id is None
    saved = client.post(url, {"title": "Study crossing", "prior_study_project": study.pk})
    assert saved.status_code == 302
    fresh = Proposal.objects.get(pk=draft.pk)
    assert fresh.prior_study_project == study and fresh.cites_prior_study()
    # the submission's snapshot records the cited study as the applicant saw it
    snap = receipts.snapshot(fresh)["content"]["prior_study_project"]
    assert snap == {"id": study.pk, "year": study.year, "city": study.city,
                    "country": str(study.country), "title": study.title}
    # the link stays for a study the portfolio lacks
    client.post(url, {"title": "Study crossing", "prior_study_project": "",
                      "prior_study_url": "kcity.example/old-study"})
    fresh = Proposal.objects.get(pk=draft.pk)
    assert fresh.prior_study_project is None
    assert fresh.prior_study_url == "https://kcity.example/old-study" and fresh.cites_prior_study()


def test_the_planning_form_has_the_same_choice(plan_track, users):
    gov = users["gov-applicant"]
    proposal = Proposal.objects.filter(organisation=gov.organisation, track=plan_track).first() \
        or services.create_proposal(by=gov, track=plan_track, title="Plan with a study")
    form = ProposalContentForm(instance=proposal)
    assert {"prior_study_project", "prior_study_url"} <= set(form.fields)
    assert list(form.fields["prior_study_project"].queryset) == list(
        portfolio.earlier_studies(plan_track.cycle.year))


def test_reloading_the_portfolio_keeps_a_citation(draft):
    study = portfolio.earlier_studies(draft.cycle.year).get(city="Lublin")
    Proposal.objects.filter(pk=draft.pk).update(prior_study_project=study)
    count = SelectedProject.objects.count()
    history = SelectedProject.objects.filter(paperwork__isnull=True).count()
    assert load_history() == history  # the demo reloads the history on every start
    assert SelectedProject.objects.count() == count
    assert Proposal.objects.get(pk=draft.pk).prior_study_project_id == study.pk


def test_the_proposal_summary_shows_the_cited_study_in_both_languages(client, draft, users):
    study = portfolio.earlier_studies(draft.cycle.year).get(city="Lublin")
    client.force_login(users["company-applicant"])
    url = f"/{{}}/proposals/{draft.pk}/"
    assert "—" in client.get(url.format("en")).content.decode().split('id="prior-study"')[1][:10]
    Proposal.objects.filter(pk=draft.pk).update(prior_study_project=study)
    for lang, label, country in (("en", "Earlier K-City study", "Poland"),
                                 ("ko", "이전 K-City 연구", "폴란드")):
        body = client.get(url.format(lang)).content.decode()
        assert label in body and f"2026 · Lublin, {country}" in body
    Proposal.objects.filter(pk=draft.pk).update(prior_study_project=None,
                                                prior_study_url="https://example.org/study")
    body = client.get(url.format("en")).content.decode()
    assert 'href="https://example.org/study"' in body

"""The published results notice (PDF) is rendered once per round and language and kept;
it is served with ETag, Last-Modified and Cache-Control, and rendered afresh when what it
shows changes (a replacement published after a withdrawal)."""

import io
from unittest import mock

import pytest
from django.utils.http import http_date
from pypdf import PdfReader

from kcity.accounts.models import User
from kcity.applications import services as applications
from kcity.core.models import RenderedFile
from kcity.selection import notice, services
from kcity.selection.demo import RESULTS_YEAR
from kcity.selection.models import Outcome, SelectionRound

URL = "/{lang}/results/" + str(RESULTS_YEAR) + "/notice.pdf"


@pytest.fixture
def renders():
    """Every WeasyPrint render of the notice, counted (the real one still runs)."""
    calls = []
    real = notice.html_to_pdf

    def counted(html, **kwargs):
        calls.append(html)
        return real(html, **kwargs)

    with mock.patch.object(notice, "html_to_pdf", counted):
        yield calls


def text_of(response) -> str:
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)


def test_two_readers_get_one_render_with_cache_headers(client, demo, renders):
    first = client.get(URL.format(lang="en"))
    second = client.get(URL.format(lang="en"))
    assert first.status_code == second.status_code == 200 and len(renders) == 1
    assert first.content == second.content and first.content.startswith(b"%PDF")
    assert first["Content-Type"] == "application/pdf"
    assert first["ETag"] == second["ETag"] and len(first["ETag"]) == 66
    stored = RenderedFile.objects.get()
    assert first["Last-Modified"] == http_date(stored.rendered_at.timestamp())
    assert "public" in first["Cache-Control"] and "max-age=300" in first["Cache-Control"]
    # The demo banner is in the kept notice of the demo cycle.
    assert "Demo" in text_of(first) and "made-up data" in text_of(first)
    # A reader who has it asks again: 304, nothing sent, nothing rendered.
    again = client.get(URL.format(lang="en"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b"" and len(renders) == 1
    since = client.get(URL.format(lang="en"), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304


def test_each_language_is_rendered_and_kept_once(client, demo, renders):
    en = client.get(URL.format(lang="en"))
    ko = client.get(URL.format(lang="ko"))
    client.get(URL.format(lang="ko"))
    assert len(renders) == 2 and en["ETag"] != ko["ETag"]
    assert 'lang="ko"' not in renders[0] and "데모" in renders[1]  # the Korean banner
    assert ko.content.startswith(b"%PDF") and en.content != ko.content
    assert sorted(RenderedFile.objects.values_list("key", flat=True)) == sorted(
        f"selection.notice:round={SelectionRound.objects.get(cycle__year=RESULTS_YEAR).pk}"
        f":lang={lang}" for lang in ("en", "ko"))


def test_a_published_replacement_renders_the_notice_again(
        client, demo, renders, django_capture_on_commit_callbacks):
    before = client.get(URL.format(lang="en"))
    round = SelectionRound.objects.get(cycle__year=RESULTS_YEAR)
    gone = next(o.proposal for o in Outcome.objects.filter(round=round, outcome="selected")
                .select_related("proposal__organisation")
                if o.proposal.organisation.members.exists())
    with django_capture_on_commit_callbacks(execute=True):
        applications.withdraw(proposal=gone, by=gone.organisation.members.first(),
                              reason="The city council changed.")
    # Withdrawn but not yet replaced: the public notice is what was published.
    staff = User.objects.get(username="secretariat")
    replacement = services.propose_replacement(by=staff, round=round)
    services.approve_scenario(by=staff, scenario=replacement, explain=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(by=staff, round=round)
    after = client.get(URL.format(lang="en"))
    assert len(renders) == 2 and after["ETag"] != before["ETag"]
    assert "Withdrawn after selection" in text_of(after) and gone.title[:20] in text_of(after)
    assert client.get(URL.format(lang="en")).content == after.content and len(renders) == 2
    assert RenderedFile.objects.count() == 1
    stale = client.get(URL.format(lang="en"), HTTP_IF_NONE_MATCH=before["ETag"])
    assert stale.status_code == 200 and stale.content == after.content

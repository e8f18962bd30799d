"""The Content Security Policy holds in every mode, and no page breaks it: no inline
script, no inline event handler, no style attribute or element (the policy allows scripts
and styles only from the portal's own files).

The test walks the portal as each kind of visitor, following the links of every page.
"""

import re
from collections import Counter, deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client

from kcity.accounts.models import User
from kcity.applications.models import Proposal, ProposalState

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
STYLE = re.compile(r"<style\b|<[a-z][^>]*\sstyle\s*=", re.I)
HREF = re.compile(r'href="([^"#]+)"')
SKIP = re.compile(r"(logout|\.pdf|\.csv|\.json|/static/|/media/|/documents/\d+/|/i18n/|"
                  r"/admin/r/)")
PER_KIND = 4


def kind(url: str) -> str:
    """/en/proposals/3/ and /en/proposals/51/ are pages of one kind."""
    return re.sub(r"\d+", "N", urlsplit(url).path)


def crawl(client: Client, start: list[str], limit: int) -> dict[str, str]:
    """Up to `limit` pages reached from `start`, a few of each kind."""
    seen, pages, queue = set(start), {}, deque(start)
    kinds = Counter(kind(u) for u in start)
    while queue and len(pages) < limit:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        policy = response.get("Content-Security-Policy", "")
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, url
        html = response.content.decode()
        pages[url] = html
        for link in HREF.findall(html):
            link = urldefrag(link)[0]
            if urlsplit(link).netloc or not link.startswith("/") or SKIP.search(link):
                continue
            if link not in seen and kinds[kind(link)] < PER_KIND:
                seen.add(link)
                kinds[kind(link)] += 1
                queue.append(link)
    return pages


def test_the_policy(settings):
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"] and directives["form-action"] == ["'self'"]
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE
    assert settings.X_FRAME_OPTIONS == "DENY"


@pytest.mark.parametrize("username", [None, "company-applicant", "evaluator", "secretariat"])
def test_no_page_has_inline_script_or_style(client, demo, username):
    if username:
        client.force_login(User.objects.get(username=username))
    start = ["/en/", "/ko/", "/en/calls/", "/en/accounts/login/", "/en/accounts/register/",
             "/en/accounts/password-reset/"]
    if username:
        start += ["/en/accounts/profile/", "/en/accounts/password/"]
    if username == "company-applicant":
        user = User.objects.get(username=username)
        drafts = Proposal.objects.filter(organisation=user.organisation_id,
                                         state=ProposalState.DRAFT).order_by("pk")[:2]
        start += [f"/en/proposals/{d.pk}/{page}" for d in drafts for page in ("edit/", "submit/")]
    if username == "secretariat":
        start += ["/en/admin/", "/en/proposals/screening/", "/en/selection/",
                  "/en/evaluation/panels/"]
    pages = crawl(client, start, limit=90)
    assert len(pages) >= len(start) - 1
    problems = [
        f"{url}: {kind} {match.group(0)[:80]!r}"
        for url, html in pages.items()
        for kind, pattern in (("script", INLINE_SCRIPT), ("handler", EVENT_HANDLER),
                              ("style", STYLE))
        for match in pattern.finditer(html)
    ]
    assert not problems, "\n".join(problems)

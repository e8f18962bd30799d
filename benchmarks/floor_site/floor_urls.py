"""The surge cycle with no application work: what an authenticated page and a CSRF-checked
POST cost in this stack before any proposal is read or written.

Mounted beside the portal's URLs (`/en/floor/<pk>/submit/`), so one server answers both the
floor and the real submit, and `deadline_surge.Applicant` drives either: the page is rendered
from `base.html` with a form (CSRF token and a key) and nothing else; the POST checks the
login and the CSRF token and redirects to a receipt URL (which the client does not follow).
"""

import secrets

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path

from kcity.site.urls import urlpatterns as portal


@login_required
def floor(request, pk):
    if request.method == "POST":
        return redirect(f"/en/proposals/{pk}/receipts/{pk}/")
    return render(request, "floor.html", {"key": secrets.token_urlsafe(24)})


urlpatterns = [path("en/floor/<int:pk>/submit/", floor), *portal]

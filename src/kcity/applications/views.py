"""Proposal pages: each view parses input, calls one service and renders or redirects.

Every lookup goes through `permissions.visible_proposals` (via selectors), so a proposal
someone may not see answers 404, never 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kcity import permissions
from kcity.accounts.throttle import limited
from kcity.applications import forms, lifecycle, receipts, rules, selectors, services
from kcity.applications.models import ConsortiumMember, Outcome
from kcity.core import audit
from kcity.core.errors import Refused, show_form_errors, show_refusal
from kcity.core.text import same_mailbox


def _proposal(request, pk, related=selectors.DETAIL_RELATED, only=()):
    proposal = selectors.proposal_for(request.user, pk, related, only)
    if proposal is None:
        raise Http404
    return proposal


@login_required
def proposal_list(request):
    return render(request, "applications/list.html", {
        "proposals": selectors.my_proposals(request.user),
        "can_start": permissions.can_start_proposal(request.user),
        "is_secretariat": permissions.is_secretariat(request.user),
    })


@login_required
def proposal_new(request):
    tracks = selectors.tracks_open_to(request.user)
    form = forms.NewProposalForm(request.POST or None, tracks=tracks,
                                 initial={"track": request.GET.get("track")})
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.create_proposal(
                by=request.user, track=form.cleaned_data["track"], title=form.cleaned_data["title"]
            )
        except Refused as exc:
            show_refusal(request, exc)
        else:
            return redirect("applications:edit", proposal.pk)
    return render(request, "applications/new.html", {"form": form, "tracks": tracks})


def _detail_context(request, proposal):
    user = request.user
    is_applicant = permissions.is_proposal_applicant(user, proposal)
    return {
        "proposal": proposal,
        "is_applicant": is_applicant,
        "can_screen": permissions.can_screen_proposal(user, proposal),
        "editable": services.may_edit(proposal=proposal, by=user),
        "moves": dict(lifecycle.allowed_moves(user, proposal)),
        "problems": rules.submission_problems(proposal) if is_applicant else [],
        "documents": proposal.documents.order_by("code"),
        "required_documents": [
            {"code": d.get("code"), "name": rules.document_name(d),
             "document": proposal.documents.filter(code=d.get("code")).first()}
            for d in proposal.track.required_documents or []
        ],
        "members": proposal.members.select_related("organisation"),
        "events": proposal.events.select_related("actor"),
        "submissions": proposal.submissions.all(),
        "pre_consultations": proposal.pre_consultations.all(),
        "needs_pre_consultation": rules.needs_pre_consultation(proposal.track),
        "invite_form": forms.InviteForm(),
        "document_form": forms.DocumentForm(track=proposal.track),
        "concept_form": forms.ConceptNoteForm(),
        "after_cutoff": rules.after_cutoff(proposal.track),
        "deadline": proposal.track.deadline,
        "cutoff": proposal.track.cutoff,
    }


@login_required
def proposal_detail(request, pk):
    proposal = _proposal(request, pk)
    return render(request, "applications/detail.html", _detail_context(request, proposal))


def _editor_proposal(request, pk):
    """The proposal `pk` for its editor: those who may see it but not change it (a consortium
    partner, an evaluator) get 404 like a stranger, on the GET and the POST."""
    proposal = _proposal(request, pk)
    if not permissions.can_edit_proposal(request.user, proposal):
        raise Http404
    return proposal


@login_required
def proposal_edit(request, pk):
    proposal = _editor_proposal(request, pk)
    form = forms.ProposalContentForm(request.POST or None, instance=proposal)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_proposal(proposal=proposal, by=request.user, data=form.cleaned_data)
            except Refused as exc:
                show_refusal(request, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("applications:detail", proposal.pk)
        else:
            messages.error(request, _("Nothing was saved: correct the fields marked below."))
    return render(request, "applications/edit.html", {"proposal": proposal, "form": form})


@login_required
@require_POST
def proposal_autosave(request, pk):
    """The draft as the applicant types (fetch from the edit page); JSON in, JSON out."""
    proposal = _editor_proposal(request, pk)
    form = forms.ProposalContentForm(request.POST, instance=proposal)
    if not form.is_valid():
        return JsonResponse({"saved": False, "errors": form.errors}, status=400)
    try:
        saved = services.update_proposal(proposal=proposal, by=request.user, data=form.cleaned_data)
    except Refused as exc:
        return JsonResponse({"saved": False, "errors": {"__all__": exc.messages}}, status=409)
    return JsonResponse({
        "saved": True,
        "saved_at": timezone.localtime(saved.updated_at).strftime("%H:%M:%S"),
        "message": _("Draft saved at %(time)s KST.") % {
            "time": timezone.localtime(saved.updated_at).strftime("%H:%M:%S")
        },
    })


@login_required
@require_POST
def member_invite(request, pk):
    proposal = _proposal(request, pk)
    form = forms.InviteForm(request.POST)
    if form.is_valid():
        try:
            member = services.invite_member(proposal=proposal, by=request.user, **form.cleaned_data)
        except Refused as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": member.email})
    else:
        show_form_errors(request, form)
    return redirect("applications:detail", proposal.pk)


@login_required
@require_POST
def member_remove(request, pk, member_pk):
    proposal = _proposal(request, pk)
    member = get_object_or_404(proposal.members, pk=member_pk)
    try:
        services.remove_member(member=member, by=request.user)
    except Refused as exc:
        show_refusal(request, exc)
    return redirect("applications:detail", proposal.pk)


# Each address may open invitation links only so often: a token cannot be guessed by trying.
@limited("invitation", limits=["invitation_ip"], methods="ALL")
@login_required
def invitation(request, token):
    """The page an invited partner opens from the e-mailed link, to confirm or decline."""
    member = get_object_or_404(
        ConsortiumMember.objects.select_related("proposal__organisation", "proposal__track"),
        token=token,
    )
    if request.method == "POST":
        accept = request.POST.get("answer") == "confirm"
        try:
            services.respond_to_invitation(token=token, by=request.user, accept=accept)
        except Refused as exc:
            show_refusal(request, exc)
        else:
            if accept:
                messages.success(request, _("You have confirmed your participation."))
                return redirect("applications:detail", member.proposal_id)
            messages.success(request, _("You have declined the invitation."))
        return redirect("applications:invitation", token)
    return render(request, "applications/invitation.html", {
        "member": member,
        "for_you": same_mailbox(request.user.email, member.email),
    })


@login_required
def document_upload(request, pk):
    proposal = _proposal(request, pk)
    if request.method != "POST":
        return redirect("applications:detail", proposal.pk)
    form = forms.DocumentForm(request.POST, request.FILES, track=proposal.track)
    refused = None
    if form.is_valid():
        try:
            document = services.upload_document(
                proposal=proposal, by=request.user, code=form.cleaned_data["code"],
                upload=form.cleaned_data["file"]
            )
        except Refused as exc:
            # Shown on the upload form, with the chosen document kept.
            refused = exc
            for message in exc.messages:
                form.add_error("file", message)
        else:
            messages.success(
                request, _("Attached %(name)s.") % {"name": document.original_name}
            )
            return redirect("applications:detail", proposal.pk)
    context = _detail_context(request, proposal)
    if refused is not None and not context["editable"]:
        # The page has no upload form any more (the deadline passed while the file was on
        # its way, or the state changed): the reason goes on top of the page.
        show_refusal(request, refused)
    else:
        messages.error(request, _("The file was not attached: see the upload form below."))
    context["document_form"] = form
    return render(request, "applications/detail.html", context, status=400)


@login_required
def document_download(request, pk, doc_pk):
    proposal = _proposal(request, pk)
    document = get_object_or_404(proposal.documents, pk=doc_pk)
    audit.record(action=audit.Action.DOWNLOAD, obj=document, by=request.user,
                 scope=proposal.track.secretariat, proposal=proposal.pk)
    # Always a download, never shown in the browser; a PDF with JavaScript is not even
    # labelled as a PDF, so no viewer opens it by itself.
    response = FileResponse(
        document.file.open("rb"), as_attachment=True, filename=document.original_name,
        content_type="application/octet-stream" if document.has_javascript
        else document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def concept_note(request, pk):
    proposal = _proposal(request, pk)
    form = forms.ConceptNoteForm(request.POST)
    if form.is_valid():
        try:
            services.submit_concept_note(proposal=proposal, by=request.user,
                                         text=form.cleaned_data["concept_note"])
        except Refused as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, _("Your concept note has been sent to the secretariat."))
    else:
        show_form_errors(request, form)
    return redirect("applications:detail", proposal.pk)


SUBMIT_PAGE_RELATED = ("track__cycle", "organisation")


@login_required
def submit(request, pk):
    # The page every applicant loads on deadline day: only the relations it shows.
    if request.method == "POST":
        # Only the look-up that answers 404 to a stranger: the submission reads the row again
        # under its lock.
        proposal = _proposal(request, pk, (), only=("id", "organisation_id"))
        key = request.POST.get("key", "")  # the service checks its form
        try:
            submission = services.submit_proposal(proposal=proposal, by=request.user, key=key)
        except Refused as exc:
            show_refusal(request, exc)
        else:
            return redirect("applications:receipt", proposal.pk, submission.pk)
    proposal = _proposal(request, pk, SUBMIT_PAGE_RELATED)
    # The submit page needs the summary, the problems and the key, not the detail page's
    # context (members, events, documents, forms): it is the page every applicant loads on
    # deadline day.
    is_applicant = permissions.is_proposal_applicant(request.user, proposal)
    return render(request, "applications/submit.html", {
        "proposal": proposal,
        "key": services.new_submit_key(),  # a plain hidden input: no form rendering here
        "problems": rules.submission_problems(proposal) if is_applicant else [],
        "after_cutoff": rules.after_cutoff(proposal.track),
        "deadline": proposal.track.deadline,
    })


@login_required
def receipt(request, pk, submission_pk):
    proposal = _proposal(request, pk)
    submission = get_object_or_404(proposal.submissions, pk=submission_pk)
    return render(request, "applications/receipt.html",
                  {"proposal": proposal, "submission": submission})


@login_required
def receipt_pdf(request, pk, submission_pk):
    proposal = _proposal(request, pk)
    submission = get_object_or_404(proposal.submissions, pk=submission_pk)
    stored = getattr(submission, "receipt_pdf", None)  # rendered by the worker
    if stored is not None and stored.language == translation.get_language():
        with stored.file.open("rb") as f:
            content = f.read()
    else:
        content = receipts.render_pdf(submission, request)
    audit.record(action=audit.Action.DOWNLOAD, obj=submission, by=request.user,
                 scope=proposal.track.secretariat, proposal=proposal.pk)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{submission.receipt_number}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def reopen(request, pk):
    proposal = _proposal(request, pk)
    try:
        services.reopen(proposal=proposal, by=request.user)
    except Refused as exc:
        show_refusal(request, exc)
    return redirect("applications:detail", proposal.pk)


@login_required
def withdraw(request, pk):
    proposal = _proposal(request, pk)
    form = forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw(proposal=proposal, by=request.user,
                              reason=form.cleaned_data["reason"])
        except Refused as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, _("The proposal has been withdrawn."))
            return redirect("applications:detail", proposal.pk)
    return render(request, "applications/withdraw.html", {"proposal": proposal, "form": form})


@login_required
def screening_list(request):
    if not permissions.is_secretariat(request.user):
        raise Http404
    state = request.GET.get("state", "")
    return render(request, "applications/screening_list.html", {
        "proposals": selectors.screening_queue(request.user, state),
        "state": state,
        "states": lifecycle.S.choices,
    })


@login_required
def screening_detail(request, pk):
    proposal = _proposal(request, pk)
    if not permissions.can_screen_proposal(request.user, proposal):
        raise Http404
    checklist_form = forms.ChecklistForm(proposal=proposal)
    decision_form = forms.ScreeningForm()
    pc_form = forms.PreConsultationForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "checklist":
                checklist_form = forms.ChecklistForm(request.POST, proposal=proposal)
                if checklist_form.is_valid():
                    ticked = {k for k, v in checklist_form.cleaned_data.items() if v}
                    services.save_checklist(proposal=proposal, by=request.user, ticked=ticked)
                    messages.success(request, _("Checklist saved."))
                    return redirect("applications:screening_detail", proposal.pk)
            elif action == "decision":
                decision_form = forms.ScreeningForm(request.POST)
                if decision_form.is_valid():
                    services.screen(proposal=proposal, by=request.user,
                                    decision=decision_form.cleaned_data["decision"],
                                    reason=decision_form.cleaned_data["reason"])
                    messages.success(request, _("Decision recorded; the applicant is told."))
                    return redirect("applications:screening_detail", proposal.pk)
                show_form_errors(request, decision_form)
            elif action == "pre_consultation":
                pc_form = forms.PreConsultationForm(request.POST)
                pending = proposal.pre_consultations.filter(outcome=Outcome.PENDING).first()
                if pending is None:
                    messages.error(request, _("There is no concept note waiting for an answer."))
                elif pc_form.is_valid():
                    services.decide_pre_consultation(pre_consultation=pending, by=request.user,
                                                     outcome=pc_form.cleaned_data["outcome"],
                                                     note=pc_form.cleaned_data["note"])
                    messages.success(request, _("Outcome recorded; the applicant is told."))
                    return redirect("applications:screening_detail", proposal.pk)
                else:
                    show_form_errors(request, pc_form)
        except Refused as exc:
            show_refusal(request, exc)
    context = _detail_context(request, proposal)
    context.update({
        "checklist": rules.checklist(proposal),
        "checklist_form": checklist_form,
        "decision_form": decision_form,
        "pc_form": pc_form,
        "pending_note": proposal.pre_consultations.filter(outcome=Outcome.PENDING).first(),
    })
    return render(request, "applications/screening_detail.html", context)

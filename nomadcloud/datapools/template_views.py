"""Pages of query templates and downloads (decision 0048): a pool's templates (the steward
writes, approves and withdraws them), running an approved one under an agreement, a
download link under an agreement for downloads, and the signed local download itself."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from nomadcloud.accounts.access import role_in
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from nomadcloud.core.inputs import parse_draft
from nomadcloud.core.pages import apply_error, confirm_page, confirmed, domain_errors, form_status
from nomadcloud.datapools import access, downloads, queries, querytemplates
from nomadcloud.datapools.forms import TemplateForm, TemplateRunForm
from nomadcloud.datapools.models import Negotiation, QueryTemplate
from nomadcloud.datapools.transitions import Side


@login_required
@domain_errors
def pool_templates(request: HttpRequest, pool_id: str) -> HttpResponse:
    """The pool's templates; its steward writes one here (a draft until approved)."""
    principal = Principal.of(request)
    pool = access.pool_for(principal, pool_id)
    steward = access.is_steward(principal, pool)
    form = TemplateForm(request.POST or None) if steward else None
    if request.method == "POST":
        access.require_side(principal, pool, Side.STEWARD)
        assert form is not None
        if form.is_valid():
            try:
                draft = parse_draft(querytemplates.TemplateDraft, form.draft_data())
                querytemplates.write_template(principal=principal, pool=pool, draft=draft)
            except InvalidInput as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("The template was written; approve it to offer it."))
                return redirect("datapools:templates", pool.public_id)
    return render(
        request,
        "datapools/templates.html",
        {
            "pool": pool,
            "steward": steward,
            "form": form,
            "templates": list(queries.templates_of(principal, pool)[:100]),
        },
        status=form_status(form) if form is not None else 200,
    )


@require_POST
@login_required
@domain_errors
def decide_template(request: HttpRequest, template_id: str, action: str) -> HttpResponse:
    if action not in ("approve", "withdraw"):
        raise NotFound(_("No such page."))
    principal = Principal.of(request)
    template = access.template_for(principal, template_id)
    try:
        querytemplates.decide_template(principal=principal, template=template, action=action)
    except InvalidInput as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Done."))
    return redirect("datapools:templates", template.pool.public_id)


def _consumer_agreement(request: HttpRequest, negotiation_id: str) -> Negotiation:
    principal = Principal.of(request)
    made = access.negotiation_for(principal, negotiation_id)
    if role_in(principal, made.consumer) not in access.EDITORS:
        raise NotFound(_("No such negotiation."))
    return made


@login_required
@domain_errors
def run_templates(request: HttpRequest, negotiation_id: str) -> HttpResponse:
    """The consumer's page: the pool's approved templates, each with its parameters."""
    principal = Principal.of(request)
    made = _consumer_agreement(request, negotiation_id)
    templates = querytemplates.approved_templates(made.pool)
    chosen = request.POST.get("template", "") if request.method == "POST" else ""
    forms: list[tuple[QueryTemplate, TemplateRunForm]] = []
    result: dict[str, Any] | None = None
    for template in templates:
        posted = str(template.public_id) == chosen
        form = TemplateRunForm(request.POST if posted else None, template=template)
        if posted and form.is_valid():
            try:
                result = querytemplates.run(
                    principal=principal,
                    negotiation=made,
                    template=template,
                    parameters=form.parameters(),
                )
            except InvalidInput as exc:
                form.apply(exc)
        forms.append((template, form))
    return render(
        request,
        "datapools/template_runs.html",
        {"negotiation": made, "forms": forms, "result": result},
        status=form_status(*[f for _t, f in forms]) if forms else 200,
    )


@require_POST
@login_required
@domain_errors
def issue_download(request: HttpRequest, negotiation_id: str) -> HttpResponse:
    principal = Principal.of(request)
    made = _consumer_agreement(request, negotiation_id)
    link = downloads.issue_link(principal=principal, negotiation=made)
    return render(request, "datapools/download.html", {"negotiation": made, "link": link})


@require_GET
@login_required
@domain_errors
def download(request: HttpRequest, token: str) -> HttpResponse:
    # A FileResponse streams the stored file in chunks (or a redirect to a presigned URL).
    try:
        return downloads.open_link(principal=Principal.of(request), token=token)
    except Conflict as exc:  # expired, revoked or the agreement ended: say so, 410 Gone
        return render(request, "core/error.html", {"message": exc.message}, status=410)


@require_POST
@login_required
@domain_errors
def revoke_downloads(request: HttpRequest, negotiation_id: str) -> HttpResponse:
    principal = Principal.of(request)
    made = access.negotiation_for(principal, negotiation_id)
    count = downloads.revoke_links(principal=principal, negotiation=made)
    messages.success(request, _("%(count)s download links were revoked.") % {"count": count})
    return redirect("datapools:negotiation", made.public_id)


@require_POST
@login_required
@domain_errors
def revoke_link(request: HttpRequest, link_id: str) -> HttpResponse:
    """Revoke one download link (decision 0064): the links table's form posts the reason,
    a confirmation page states what happens, its button posts again with the confirmation."""
    principal = Principal.of(request)
    link = access.link_for(principal, link_id)
    back = reverse("datapools:negotiation", args=[link.negotiation.public_id])
    if not downloads.may_revoke(principal, link):
        raise Forbidden(
            _("Only the steward's editors or the person the link was issued to revoke it."),
            code="not_link_holder",
        )
    try:
        draft = parse_draft(
            downloads.LinkRevocationDraft,
            {"reason": request.POST.get("reason", ""), "confirm": confirmed(request)},
        )
        if not draft.confirm:
            return confirm_page(
                request,
                title=_("Revoke this download link?"),
                action=reverse("datapools:revoke-link", args=[link.public_id]),
                button=_("Revoke the link"),
                back=back,
                summary=[
                    (_("Issued"), date_format(link.issued_at, "Y-m-d H:i")),
                    (_("To"), str(link.issued_to)),
                    (_("Version"), str(link.version.number)),
                    (_("Reason"), draft.reason),
                ],
                consequences=[
                    _("The link stops working at once and answers that it was revoked."),
                    _("The agreement's other links keep working."),
                    _("Who revoked it, when and why are recorded."),
                ],
                fields={"reason": draft.reason},
            )
        downloads.revoke_link(principal=principal, link=link, draft=draft)
    except (InvalidInput, Conflict) as exc:
        said = [message for messages_ in exc.fields.values() for message in messages_]
        messages.error(request, " ".join([exc.message, *said]))
        return redirect(back)
    messages.success(request, _("The download link was revoked."))
    return redirect(back)

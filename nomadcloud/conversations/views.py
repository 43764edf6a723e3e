"""Pages: a person's conversations, one conversation with its messages and files, turning it
into an order (the terms prefilled from the demand), and the enterprise's list of a demand's
applicants and invitees with the match explanation beside each."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from nomadcloud.accounts.access import role_in
from nomadcloud.accounts.principal import Principal
from nomadcloud.conversations import access, queries, services
from nomadcloud.conversations.forms import MessageForm, OrderTermsForm
from nomadcloud.conversations.models import Attachment
from nomadcloud.core import uploads
from nomadcloud.core.errors import DomainError, NotFound
from nomadcloud.core.inputs import parse_draft
from nomadcloud.core.pages import apply_error, domain_errors, form_status
from nomadcloud.demands import access as demand_access
from nomadcloud.orders.schemas import OrderDraft

PAGE_SIZE = 20


@login_required
@require_GET
@domain_errors
def mine(request: HttpRequest) -> HttpResponse:
    assert request.user.is_authenticated
    page = Paginator(queries.conversations_of(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "conversations/list.html", {"page": page})


@login_required
@domain_errors
def detail(request: HttpRequest, conversation_id: str) -> HttpResponse:
    principal = Principal.of(request)
    conversation = access.conversation_for(principal, conversation_id)
    form = MessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_message(
                principal=principal,
                conversation=conversation,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["attachments"],
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            return redirect("conversations:detail", conversation.public_id)
    return render(
        request,
        "conversations/detail.html",
        {
            "conversation": conversation,
            "chat": queries.messages_of(conversation),
            "form": form,
            "order": services.existing_order(conversation),
            "can_contract": access.can_contract(principal, conversation),
            "is_nomad": access.is_nomad(principal, conversation),
        },
        status=form_status(form),
    )


@login_required
@require_GET
def attachment(request: HttpRequest, conversation_id: str, attachment_id: int) -> HttpResponseBase:
    try:
        conversation = access.conversation_for(Principal.of(request), conversation_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    row = Attachment.objects.filter(pk=attachment_id, message__conversation=conversation).first()
    if row is None:
        raise Http404(_("No such file."))
    return uploads.download(row)


@login_required
@domain_errors
def convert(request: HttpRequest, conversation_id: str) -> HttpResponse:
    """The order's terms, prefilled from the demand; saving makes the order, assigned to the
    nomad."""
    principal = Principal.of(request)
    conversation = access.conversation_for(principal, conversation_id)
    access.check_contract(principal, conversation)
    existing = services.existing_order(conversation)
    if existing is not None:
        messages.info(request, _("An order was already made from this conversation."))
        return redirect("orders:detail", existing.public_id)
    fields = services.order_fields(conversation)
    form = OrderTermsForm(request.POST or None, initial=OrderTermsForm.initial_from(fields))
    if request.method == "POST" and form.is_valid():
        try:
            draft = parse_draft(OrderDraft, form.terms(fields["skills"]))
            order = services.convert(principal=principal, conversation=conversation, draft=draft)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The order is made and assigned to the nomad."))
            return redirect("orders:detail", order.public_id)
    return render(
        request,
        "conversations/convert.html",
        {"conversation": conversation, "form": form},
        status=form_status(form),
    )


@login_required
@require_GET
@domain_errors
def people(request: HttpRequest, demand_id: str) -> HttpResponse:
    """Everyone who applied to or was invited to a demand, for its enterprise."""
    principal = Principal.of(request)
    demand = demand_access.demand_for_applications(principal, demand_id)
    return render(
        request,
        "conversations/people.html",
        {
            "demand": demand,
            "people": queries.people_of(demand),
            "member": role_in(principal, demand.organisation) is not None,
        },
    )

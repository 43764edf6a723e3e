"""Pages for nomad profiles and certification. Each view fetches objects through the access
chokepoints, parses input with a form and calls one service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nomadcloud.accounts.access import DECIDING_ROLES, is_zone_operator, require_zone_operator
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import DomainError, NotFound
from nomadcloud.core.inputs import Draft, draft_from_form
from nomadcloud.core.pages import (
    apply_error,
    confirm_page,
    domain_errors,
    form_status,
    require_confirmation,
)
from nomadcloud.talent import access, queries, services, transitions
from nomadcloud.talent.forms import (
    AnswersForm,
    ApplicationForm,
    DecisionForm,
    LanguageForm,
    LinkForm,
    ProfileForm,
    ProjectForm,
    RevokeForm,
    RuleSetForm,
    SkillForm,
    ToolForm,
)
from nomadcloud.talent.models import (
    SECTIONS,
    Certificate,
    PortfolioLink,
    Profile,
    ProfileLanguage,
    ProfileSkill,
    ProfileTool,
    Project,
    Track,
)
from nomadcloud.talent.schemas import CertificationDecisionDraft, ProfileChanges, ProjectDraft
from nomadcloud.talent.transitions import Side

REMOVABLE: dict[str, type[Any]] = {
    "languages": ProfileLanguage,
    "links": PortfolioLink,
    "skills": ProfileSkill,
    "projects": Project,
    "tools": ProfileTool,
}


def _principal(request: HttpRequest) -> Principal:
    return Principal.of(request)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _profile_initial(profile: Profile | None) -> dict[str, Any]:
    p = profile or Profile()
    initial = {
        "headline_zh": p.headline_zh,
        "headline_en": p.headline_en,
        "bio_zh": p.bio_zh,
        "bio_en": p.bio_en,
        "location": p.location,
        "time_zone": p.time_zone,
        "availability": p.availability,
        "rate_amount": p.rate_amount,
        "rate_unit": p.rate_unit,
    }
    for section in SECTIONS:
        initial[f"{section}_visibility"] = p.visibility_of(section)
    return initial


def _editor(request: HttpRequest, **forms: Any) -> HttpResponse:
    principal = _principal(request)
    profile = access.own_profile(principal)
    context: dict[str, Any] = {
        "profile": profile,
        "profile_form": forms.get("profile_form") or ProfileForm(initial=_profile_initial(profile)),
        "language_form": forms.get("language_form") or LanguageForm(),
        "link_form": forms.get("link_form") or LinkForm(),
        "skill_form": forms.get("skill_form") or SkillForm(),
        "project_form": forms.get("project_form") or ProjectForm(),
        "tool_form": forms.get("tool_form") or ToolForm(),
        "skills": queries.skills_of(profile) if profile else [],
        "projects": queries.projects_of(profile) if profile else [],
        "tools": queries.tools_of(profile) if profile else [],
        "languages": profile.languages.all() if profile else [],
        "links": profile.links.all() if profile else [],
    }
    return render(request, "talent/profile_edit.html", context, status=form_status(*forms.values()))


@login_required
@domain_errors
def profile(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _editor(request)
    form = ProfileForm(request.POST)
    changes = draft_from_form(form, ProfileChanges) if form.is_valid() else None
    if changes is not None:
        try:
            services.update_profile(principal=_principal(request), changes=changes)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("talent:profile")
    return _editor(request, profile_form=form)


def _save_section(
    request: HttpRequest,
    form_class: type[forms.Form],
    context_name: str,
    save: Callable[[Principal, Any], object],
    draft: type[Draft] | None = None,
) -> HttpResponse:
    """Parse one profile section's form (into ``draft`` when the use case takes one) and
    save it; on refusal show the editor again with the error on the form."""
    form = form_class(request.POST)
    data: Any = None
    if form.is_valid():
        data = form.cleaned_data if draft is None else draft_from_form(form, draft)
    if data is not None:
        try:
            save(_principal(request), data)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("talent:profile")
    return _editor(request, **{context_name: form})


@login_required
@require_POST
@domain_errors
def add_language(request: HttpRequest) -> HttpResponse:
    return _save_section(
        request, LanguageForm, "language_form",
        lambda me, data: services.set_language(principal=me, **data),
    )  # fmt: skip


@login_required
@require_POST
@domain_errors
def add_link(request: HttpRequest) -> HttpResponse:
    return _save_section(
        request, LinkForm, "link_form", lambda me, data: services.add_link(principal=me, **data)
    )


def _declare_skill(me: Principal, data: dict[str, Any]) -> object:
    evidence = None
    if data["evidence_source"] or data["evidence_reference"] or data["evidence_url"]:
        evidence = services.EvidenceInput(
            source=data["evidence_source"],
            reference=data["evidence_reference"],
            url=data["evidence_url"],
            occurred_on=data["evidence_date"],
        )
    concept = services.concept_by_code(data["skill"], field="skill")
    return services.declare_skill(
        principal=me, concept=concept, level=data["level"], evidence=evidence
    )


@login_required
@require_POST
@domain_errors
def add_skill(request: HttpRequest) -> HttpResponse:
    return _save_section(request, SkillForm, "skill_form", _declare_skill)


def _add_project(me: Principal, draft: ProjectDraft) -> object:
    return services.add_project(principal=me, draft=draft)


@login_required
@require_POST
@domain_errors
def add_project(request: HttpRequest) -> HttpResponse:
    return _save_section(request, ProjectForm, "project_form", _add_project, ProjectDraft)


def _set_tool(me: Principal, data: dict[str, Any]) -> object:
    return services.set_tool(
        principal=me,
        concept=services.concept_by_code(data["tool"], field="tool", tool=True),
        proficiency=data["proficiency"],
        years=data["years"],
        last_used=data["last_used"],
    )


@login_required
@require_POST
@domain_errors
def add_tool(request: HttpRequest) -> HttpResponse:
    return _save_section(request, ToolForm, "tool_form", _set_tool)


@login_required
@require_POST
@domain_errors
def remove_item(request: HttpRequest, section: str, pk: int) -> HttpResponse:
    model = REMOVABLE.get(section)
    if model is None:
        raise NotFound(_("Not found."))
    principal = _principal(request)
    services.remove_item(principal=principal, item=access.own_item(principal, model, pk))
    messages.success(request, _("Removed."))
    return redirect("talent:profile")


@domain_errors
def public_profile(request: HttpRequest, profile_id: str) -> HttpResponse:
    profile, sections = access.public_profile_for(_principal(request), profile_id)
    return render(
        request,
        "talent/public_profile.html",
        {
            "profile": profile,
            "sections": sections,
            "skills": queries.skills_of(profile) if "skills" in sections else [],
            "projects": queries.projects_of(profile) if "projects" in sections else [],
            "tools": queries.tools_of(profile) if "tools" in sections else [],
            "languages": profile.languages.all() if "languages" in sections else [],
            "links": profile.links.all() if "links" in sections else [],
        },
    )


# --- certification ---------------------------------------------------------------------------


@login_required
def certification(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "talent/certification.html",
        {
            "applications": queries.applications_of(user),
            "certificates": queries.certificates_of(user),
            "rule_sets": {t: services.current_rule_set(t) for t in Track.values},
        },
    )


def _answers(data: dict[str, Any]) -> services.Answers:
    return services.clean_answers(
        remote_income_cny_12m=data["remote_income_cny_12m"],
        contract_value_cny_12m=data["contract_value_cny_12m"],
        clients_outside_city=data["clients_outside_city"],
        planned_stay_days=data["planned_stay_days"],
        permit_months=data["permit_months"],
    )


@login_required
@domain_errors
def check(request: HttpRequest) -> HttpResponse:
    form = AnswersForm(request.POST or None, initial={"track": request.GET.get("track", "")})
    result = rule_set = None
    if request.method == "POST" and form.is_valid():
        try:
            rule_set, result = services.check_eligibility(
                principal=_principal(request),
                track=form.cleaned_data["track"],
                answers=_answers(form.cleaned_data),
            )
        except DomainError as exc:
            apply_error(form, exc)
    lang_en = (request.LANGUAGE_CODE or "").startswith("en")
    explained = [(r.met, r.en if lang_en else r.zh) for r in result.results] if result else []
    return render(
        request,
        "talent/check.html",
        {"form": form, "result": result, "explained": explained, "rule_set": rule_set},
        status=form_status(form),
    )


@login_required
@domain_errors
def apply(request: HttpRequest) -> HttpResponse:
    principal = _principal(request)
    renew_code = request.GET.get("renew", "")
    renews = access.own_certificate(principal, renew_code) if renew_code else None
    initial = {"track": renews.track} if renews else {}
    form = ApplicationForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        file: UploadedFile[Any] | None = data["evidence"]
        uploads = [services.Upload(kind=data["evidence_kind"], file=file)] if file else []
        try:
            application = services.apply_for_certification(
                principal=principal,
                track=data["track"],
                answers=_answers(data),
                uploads=uploads,
                renews=renews,
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request, _("Your application has been submitted; the department will review it.")
            )
            return redirect("talent:application", application.public_id)
    return render(
        request,
        "talent/apply.html",
        {"form": form, "renews": renews},
        status=form_status(form),
    )


@login_required
@domain_errors
def application(request: HttpRequest, application_id: str) -> HttpResponse:
    app = access.own_application(_principal(request), application_id)
    lang_en = (request.LANGUAGE_CODE or "").startswith("en")
    return render(
        request,
        "talent/application.html",
        {
            "application": app,
            "explained": [
                (r["met"], r["en"] if lang_en else r["zh"])
                for r in app.evaluation.get("results", [])
            ],
            "files": app.evidence_files.all(),
            "decisions": app.decisions.select_related("decided_for"),
            "moves": transitions.moves_for(app, Side.APPLICANT),
        },
    )


@login_required
@require_POST
@domain_errors
def withdraw(request: HttpRequest, application_id: str) -> HttpResponse:
    principal = _principal(request)
    app = access.own_application(principal, application_id)
    services.withdraw_application(principal=principal, application=app)
    messages.success(request, _("The application has been withdrawn."))
    return redirect("talent:certification")


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "talent/reviews.html",
        {"queue": queries.certification_queue_for(user)},
    )


@login_required
@domain_errors
def review(request: HttpRequest, application_id: str) -> HttpResponse:
    principal = _principal(request)
    app, department = access.review_target_for(principal, application_id)
    form = DecisionForm(request.POST or None)
    draft = None
    if request.method == "POST" and form.is_valid():
        draft = draft_from_form(form, CertificationDecisionDraft)
    if draft is not None:
        try:
            services.decide_certification(
                principal=principal,
                application=app,
                department=department,
                approve=draft.approve,
                reason=draft.reason,
                checks={"checked_evidence": draft.checked_evidence},
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The decision has been recorded."))
            return redirect("talent:review", app.public_id)
    lang_en = (request.LANGUAGE_CODE or "").startswith("en")
    certificate = Certificate.objects.filter(application=app).first()
    return render(
        request,
        "talent/review.html",
        {
            "application": app,
            "department": department,
            "form": form,
            "revoke_form": RevokeForm(),
            "certificate": certificate,
            "explained": [
                (r["met"], r["en"] if lang_en else r["zh"])
                for r in app.evaluation.get("results", [])
            ],
            "files": app.evidence_files.all(),
            "verified_skills": services.verified_skill_count(app.applicant),
            "decisions": app.decisions.select_related("decided_by", "decided_for"),
            "moves": transitions.moves_for(app, Side.REVIEWER),
        },
        status=form_status(form),
    )


@login_required
@domain_errors
def revoke(request: HttpRequest, code: str) -> HttpResponse:
    """GET (the certificate page's form, with the reason): what revoking does, to confirm;
    POST with the reason and the confirmation: revoke."""
    principal = _principal(request)
    certificate = access.certificate_to_revoke(principal, code)
    form = RevokeForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("talent:certificate", certificate.verification_code)
    if request.method != "POST":
        return confirm_page(
            request,
            title=_("Revoke this certificate?"),
            action=request.path,
            button=_("Revoke the certificate"),
            back=reverse("talent:certificate", args=[certificate.verification_code]),
            summary=[
                (_("Holder"), str(certificate.holder)),
                (_("Track"), str(certificate.get_track_display())),
                (_("Verification code"), certificate.verification_code),
                (_("Valid until"), date_format(certificate.valid_until)),
                (_("Reason"), form.cleaned_data["reason"]),
            ],
            consequences=[
                _(
                    "The certificate shows as revoked to everyone who checks its verification "
                    "code, from now on."
                ),
                _("The holder's profile no longer counts it; the reason is kept in the audit log."),
            ],
            fields={"reason": form.cleaned_data["reason"]},
        )
    require_confirmation(request)
    services.revoke_certificate(
        principal=principal, certificate=certificate, reason=form.cleaned_data["reason"]
    )
    messages.success(request, _("The certificate has been revoked."))
    return redirect("talent:certificate", certificate.verification_code)


@domain_errors
def certificate(request: HttpRequest, code: str) -> HttpResponse:
    cert = access.certificate_by_code(code)
    user = request.user if request.user.is_authenticated else None
    may_revoke = (
        user is not None
        and cert.revoked_at is None
        and (
            is_zone_operator(user)
            or cert.issued_by.memberships.filter(user=user, role__in=DECIDING_ROLES).exists()
        )
    )
    return render(
        request,
        "talent/certificate.html",
        {"certificate": cert, "may_revoke": may_revoke, "revoke_form": RevokeForm()},
    )


@login_required
@domain_errors
def rules(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    operator = is_zone_operator(user)
    form = RuleSetForm(request.POST or None)
    if request.method == "POST":
        require_zone_operator(_principal(request))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.create_rule_set(principal=_principal(request), **data)
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("A new version of the rules has been saved."))
                return redirect("talent:rules")
    return render(
        request,
        "talent/rules.html",
        {"rule_sets": queries.rule_sets(), "form": form, "operator": operator},
        status=form_status(form),
    )

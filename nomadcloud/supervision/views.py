"""Pages of supervision: the task list (the office sees every task, a unit the tasks it is
on, with its open notices and the tasks waiting for its 签收), a task with its milestones,
acknowledgements, sub-tasks and the actions its viewer may take now (transitions.py), a
milestone (the office edits it), and the iCalendar feeds. The office's import and evaluation
pages are in views_office.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import DomainError, Forbidden
from nomadcloud.core.i18n import localized_text
from nomadcloud.core.inputs import Draft, draft_from_form
from nomadcloud.core.pages import apply_error, domain_errors, form_status
from nomadcloud.supervision import access, calendar, queries, services
from nomadcloud.supervision.forms import (
    AssignForm,
    CompletionForm,
    ExtensionForm,
    InstructionForm,
    MilestoneDoneForm,
    MilestoneForm,
    ParentForm,
    ReasonForm,
    ReportForm,
    SubTaskForm,
)
from nomadcloud.supervision.models import Acknowledgement, Milestone, Task
from nomadcloud.supervision.schemas import (
    ExtensionDraft,
    MilestoneDoneDraft,
    MilestoneDraft,
    ParentDraft,
    ReportDraft,
    SubTaskDraft,
)
from nomadcloud.supervision.transitions import TRANSITIONS


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _language() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh-Hans"


def _family_order(tasks: list[Task]) -> list[Task]:
    """Each task followed by its sub-tasks (depth-first), ``depth`` set for indenting."""
    by_parent: dict[int | None, list[Task]] = {}
    ids = {t.pk for t in tasks}
    for t in tasks:
        by_parent.setdefault(t.parent_id if t.parent_id in ids else None, []).append(t)
    ordered: list[Task] = []

    def walk(parent: int | None, depth: int) -> None:
        for t in by_parent.get(parent, []):
            t.depth = depth  # type: ignore[attr-defined]
            ordered.append(t)
            if depth < 10:
                walk(t.pk, depth + 1)

    walk(None, 0)
    return ordered


@login_required
@domain_errors
def task_list(request: HttpRequest) -> HttpResponse:
    found = queries.board(_user(request))
    if not found.office and not found.units:
        raise Forbidden(_("Only the office and the units on a plan see its tasks."))
    return render(
        request,
        "supervision/list.html",
        {
            "tasks": _family_order(list(found.tasks[:500])),
            "notices": list(found.notices[:200]),
            "waiting": list(found.waiting[:100]),
            "units": found.units,
            "office": found.office,
        },
    )


ActionForm = type[forms.Form]
ACTIONS: dict[str, ActionForm] = {
    "assign": AssignForm,
    "acknowledge": forms.Form,
    "report": ReportForm,
    "report_completion": CompletionForm,
    "verify": ReasonForm,
    "return": ReasonForm,
    "close": forms.Form,
    "request_extension": ExtensionForm,
    "approve_extension": ReasonForm,
    "refuse_extension": ReasonForm,
    "instruct": InstructionForm,
    "add_milestone": MilestoneForm,
    "complete_milestone": MilestoneDoneForm,
    "create_subtask": SubTaskForm,
    "set_parent": ParentForm,
}
# Offered elsewhere (the milestone page) or only by the system.
NOT_ON_TASK_PAGE = {"decide_extension", "edit_milestone"}

LABELS = {
    "assign": gettext_lazy("Assign (交办)"),
    "acknowledge": gettext_lazy("Acknowledge (签收)"),
    "report": gettext_lazy("Report progress"),
    "report_completion": gettext_lazy("Report completion (办结报告)"),
    "verify": gettext_lazy("Verify (督查核实)"),
    "return": gettext_lazy("Return (退办)"),
    "close": gettext_lazy("Close (销号)"),
    "request_extension": gettext_lazy("Request an extension"),
    "approve_extension": gettext_lazy("Approve the extension"),
    "refuse_extension": gettext_lazy("Refuse the extension"),
    "instruct": gettext_lazy("Give an instruction (批示)"),
    "add_milestone": gettext_lazy("Add a milestone"),
    "complete_milestone": gettext_lazy("Report a milestone done"),
    "create_subtask": gettext_lazy("Add a sub-task"),
    "set_parent": gettext_lazy("Place under another task"),
}
# What the history shows for each recorded action (system moves and decisions included).
EVENT_LABELS = {
    **LABELS,
    "mark_at_risk": gettext_lazy("Marked at risk"),
    "mark_overdue": gettext_lazy("Marked overdue"),
    "decide_extension": gettext_lazy("Extension decided"),
    "edit_milestone": gettext_lazy("Milestone changed"),
    "add_milestone": gettext_lazy("Milestone added"),
    "complete_milestone": gettext_lazy("Milestone reported done"),
    "create_subtask": gettext_lazy("Sub-task added"),
    "set_parent": gettext_lazy("Placed under another task"),
}
DRAFTS: dict[str, tuple[type[Draft], tuple[str, ...]]] = {
    "report": (ReportDraft, ()),
    "request_extension": (ExtensionDraft, ()),
    "add_milestone": (MilestoneDraft, ()),
    "complete_milestone": (MilestoneDoneDraft, ("milestone",)),
    "create_subtask": (SubTaskDraft, ()),
    "set_parent": (ParentDraft, ()),
}


def _open_milestones(task: Task) -> list[Milestone]:
    return [m for m in task.milestones.all() if m.done_on is None]


def _form(name: str, task: Task, data: Any = None) -> forms.Form:
    if name == "complete_milestone":
        choices = [
            (str(m.public_id), f"{m.due.isoformat()} {localized_text(m.title)}")
            for m in _open_milestones(task)
        ]
        return MilestoneDoneForm(data, choices=choices)
    return ACTIONS[name](data)


def _run(action: str, task: Task, user: User, form: forms.Form) -> bool:
    """Run the action with the form's data; False when the draft refused it (the errors are
    on the form)."""
    data = form.cleaned_data
    draft: Any = None
    if action in DRAFTS:
        model, omit = DRAFTS[action]
        draft = draft_from_form(form, model, omit=omit)
        if draft is None:
            return False
    if action == "assign":
        services.assign(task, actor=user, due=data["due"])
    elif action == "acknowledge":
        services.acknowledge(task, actor=user)
    elif action == "report":
        services.report(task, actor=user, draft=draft)
    elif action == "report_completion":
        services.report_completion(task, actor=user, note=data["note"], evidence=data["evidence"])
    elif action == "verify":
        services.verify(task, actor=user, note=data["reason"])
    elif action == "return":
        services.return_task(task, actor=user, reason=data["reason"])
    elif action == "close":
        services.close(task, actor=user)
    elif action == "request_extension":
        services.request_extension(task, actor=user, draft=draft)
    elif action in {"approve_extension", "refuse_extension"}:
        services.decide_extension(
            task, actor=user, approve=action == "approve_extension", note=data["reason"]
        )
    elif action == "instruct":
        services.instruct(task, actor=user, text=data["text"])
    elif action == "add_milestone":
        services.add_milestone(task, actor=user, draft=draft)
    elif action == "complete_milestone":
        milestone = task.milestones.filter(public_id=data["milestone"]).first()
        if milestone is None:
            raise Http404
        services.complete_milestone(milestone, actor=user, draft=draft)
    elif action == "create_subtask":
        services.create_subtask(task, actor=user, draft=draft)
    elif action == "set_parent":
        services.set_parent(task, actor=user, draft=draft)
    return True


def _offered(task: Task, user: User, acks: list[Acknowledgement]) -> list[str]:
    """The page's buttons for the moves the workflow allows: a pending extension is decided
    by two buttons, and what the task page does not offer is left out."""
    allowed = services.moves(task, user, acks)
    offered = [name for name in allowed if name not in NOT_ON_TASK_PAGE]
    if "decide_extension" in allowed:
        offered += ["approve_extension", "refuse_extension"]
    return offered


def _history(task: Task) -> list[dict[str, Any]]:
    """Each event with its action and states in words."""
    return [
        {
            "e": e,
            "label": EVENT_LABELS.get(e.action, e.action),
            "from_label": Task.Status(e.from_status).label if e.from_status else "",
            "to_label": Task.Status(e.to_status).label if e.to_status else "",
        }
        for e in task.events.select_related("unit")
    ]


@login_required
@domain_errors
def detail(request: HttpRequest, task_id: str) -> HttpResponse:
    user = _user(request)
    found = access.task_for(Principal.of(request), task_id)
    task = queries.task_in_full(found)
    acks = list(task.acknowledgements.select_related("unit", "acknowledged_by"))
    offered = _offered(task, user, acks)
    posted = request.POST.get("action", "")
    bound: forms.Form | None = None
    if request.method == "POST":
        if posted not in ACTIONS:
            raise Http404
        bound = _form(posted, task, request.POST)
        if bound.is_valid():
            try:
                done = _run(posted, task, user, bound)
            except DomainError as exc:
                apply_error(bound, exc)
            else:
                if done:
                    messages.success(request, _("Done."))
                    return redirect("supervision:detail", task_id=task.public_id)
    action_forms = [
        (name, LABELS[name], bound if bound is not None and name == posted else _form(name, task))
        for name in offered
    ]
    milestones = list(task.milestones.all())
    return render(
        request,
        "supervision/detail.html",
        {
            "task": task,
            "forms": action_forms,
            "events": _history(task),
            "notices": list(task.notices.select_related("unit")),
            "instructions": list(task.instructions.all()),
            "milestones": milestones,
            "acknowledgements": acks,
            "children": list(task.children.order_by("number", "pk")),
            "expected": services.expected_progress(task, milestones=milestones),
            "office": access.is_office(user),
            "today": timezone.localdate(),
            "error_action": posted if bound is not None else "",
        },
        status=form_status(bound) if bound is not None else 200,
    )


@login_required
@domain_errors
def milestone_page(request: HttpRequest, milestone_id: str) -> HttpResponse:
    """A milestone; the office changes it here while it is not done."""
    user = _user(request)
    milestone = access.milestone_for(Principal.of(request), milestone_id)
    initial = {
        "title": milestone.title,
        "due": milestone.due,
        "weight": milestone.weight,
        "target": milestone.target,
    }
    form = MilestoneForm(request.POST or None, initial=initial)
    if request.method == "POST":
        access.require_office(user)
        if form.is_valid():
            draft = draft_from_form(form, MilestoneDraft)
            if draft is not None:
                try:
                    services.edit_milestone(milestone, actor=user, draft=draft)
                except DomainError as exc:
                    apply_error(form, exc)
                else:
                    messages.success(request, _("Done."))
                    return redirect("supervision:detail", task_id=milestone.task.public_id)
    editable = (
        access.is_office(user)
        and milestone.done_on is None
        and milestone.task.status in TRANSITIONS["edit_milestone"].sources
    )
    return render(
        request,
        "supervision/milestone.html",
        {"milestone": milestone, "task": milestone.task, "form": form, "editable": editable},
        status=form_status(form),
    )


def _ics(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}.ics"'
    return response


@login_required
@domain_errors
def task_calendar(request: HttpRequest, task_id: str) -> HttpResponse:
    task = access.task_for(Principal.of(request), task_id)
    return _ics(calendar.task_ics(task, language=_language()), f"task-{task.code}")


@login_required
@domain_errors
def unit_calendar(request: HttpRequest, unit_id: str) -> HttpResponse:
    unit = access.unit_for(Principal.of(request), unit_id)
    return _ics(calendar.unit_ics(unit, language=_language()), f"unit-{unit.public_id}")

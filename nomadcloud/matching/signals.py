"""Changes to nomad profiles and demands reach the matches through background jobs.

A change stamps the profile in the same transaction (so every process's index reloads it)
and, after commit, enqueues the job that recomputes the affected matches.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from nomadcloud.core.jobs import enqueue_after_commit
from nomadcloud.demands.models import Demand, DemandLanguage, DemandSkill, JobProfileTag
from nomadcloud.talent.models import (
    Certificate,
    Profile,
    ProfileLanguage,
    ProfileSkill,
    ProfileTool,
    Project,
    SkillEvidence,
)


def _profile_changed(profile_id: int | None) -> None:
    if profile_id is None:
        return
    from nomadcloud.matching import services, tasks

    services.stamp_profile(profile_id)
    enqueue_after_commit(tasks.refresh_profile, profile_id)


def _demand_changed(demand_id: int | None) -> None:
    if demand_id is None:
        return
    from nomadcloud.matching import tasks

    enqueue_after_commit(tasks.refresh_demand, demand_id)


def _on_profile(sender: Any, instance: Profile, **kwargs: Any) -> None:
    if kwargs.get("signal") is post_delete:
        return  # the profile's matches go with it
    _profile_changed(instance.pk)


def _on_profile_part(sender: Any, instance: Any, **kwargs: Any) -> None:
    _profile_changed(getattr(instance, "profile_id", None))


def _on_evidence(sender: Any, instance: SkillEvidence, **kwargs: Any) -> None:
    _profile_changed(ProfileSkill.objects.filter(pk=instance.skill_id).values_list(
        "profile_id", flat=True).first())  # fmt: skip


def _on_certificate(sender: Any, instance: Certificate, **kwargs: Any) -> None:
    _profile_changed(Profile.objects.filter(user_id=instance.holder_id).values_list(
        "pk", flat=True).first())  # fmt: skip


def _on_project_skills(sender: Any, instance: Project, action: str, **kwargs: Any) -> None:
    if action.startswith("post_"):
        _profile_changed(instance.profile_id)


def _on_demand(sender: Any, instance: Demand, **kwargs: Any) -> None:
    if kwargs.get("signal") is not post_delete:
        _demand_changed(instance.pk)


def _on_demand_part(sender: Any, instance: Any, **kwargs: Any) -> None:
    _demand_changed(getattr(instance, "demand_id", None))


def _on_demand_tools(sender: Any, instance: Demand, action: str, **kwargs: Any) -> None:
    if action.startswith("post_"):
        _demand_changed(instance.pk)


def connect() -> None:
    post_save.connect(_on_profile, sender=Profile, dispatch_uid="matching.profile")
    for model in (ProfileSkill, ProfileTool, Project, ProfileLanguage):
        for signal in (post_save, post_delete):
            signal.connect(
                _on_profile_part,
                sender=model,
                dispatch_uid=f"matching.{model.__name__}.{id(signal)}",
            )
    for signal in (post_save, post_delete):
        signal.connect(
            _on_evidence, sender=SkillEvidence, dispatch_uid=f"matching.evidence.{id(signal)}"
        )
        signal.connect(
            _on_certificate, sender=Certificate, dispatch_uid=f"matching.certificate.{id(signal)}"
        )
        for part in (DemandSkill, DemandLanguage, JobProfileTag):
            signal.connect(
                _on_demand_part,
                sender=part,
                dispatch_uid=f"matching.{part.__name__}.{id(signal)}",
            )
    post_save.connect(_on_demand, sender=Demand, dispatch_uid="matching.demand")
    m2m_changed.connect(
        _on_project_skills, sender=Project.skills.through, dispatch_uid="matching.project_skills"
    )
    m2m_changed.connect(
        _on_demand_tools, sender=Demand.tools.through, dispatch_uid="matching.demand_tools"
    )

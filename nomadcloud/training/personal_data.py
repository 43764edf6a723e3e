"""What training holds about a person (core/privacy.py): enrolments in scenarios, the
submissions they made (texts, links, files) and the assessments of them.

Erasure keeps the enrolments and assessments (scores back credentials and work units) under
the pseudonymous person, and removes what the person wrote and uploaded: submission texts
and links, and the submitted files."""

from __future__ import annotations

from typing import Any

from nomadcloud.core import privacy
from nomadcloud.training.models import Assessment, Enrolment, Submission, SubmissionFile


def export(user: Any) -> dict[str, Any]:
    return {
        "enrolments": privacy.dump(
            Enrolment.objects.filter(nomad=user).select_related("scenario"),
            exclude=["nomad"],
            scenario_public_id=lambda e: e.scenario.public_id,
        ),
        "submissions": privacy.dump(
            Submission.objects.filter(enrolment__nomad=user).select_related("enrolment"),
            enrolment_public_id=lambda s: s.enrolment.public_id,
        ),
        "submission_files": privacy.dump(
            SubmissionFile.objects.filter(submission__enrolment__nomad=user), exclude=["file"]
        ),
        "assessments": privacy.dump(
            Assessment.objects.filter(submission__enrolment__nomad=user), exclude=["assessor"]
        ),
    }


def erase(user: Any) -> None:
    files = list(SubmissionFile.objects.filter(submission__enrolment__nomad=user))
    for stored in files:
        if stored.file:
            stored.file.delete(save=False)
    SubmissionFile.objects.filter(pk__in=[f.pk for f in files]).delete()
    Submission.objects.filter(enrolment__nomad=user).update(text="", links=[])

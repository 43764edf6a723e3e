"""What the one card holds about a person (core/privacy.py): their applications (answers,
materials, events, ratings) and the authorisations they gave or hold as an agent.

Erasure keeps the applications as records of administrative acts (their reference, item,
dates and decision) under the pseudonymous person, and removes what the person wrote and
uploaded: answers, prefilled values, the material files and rating comments."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from nomadcloud.core import privacy
from nomadcloud.onecard.models import AgentAuthorisation, Application, MaterialFile, Rating


def export(user: Any) -> dict[str, Any]:
    return {
        "applications": privacy.dump(
            Application.objects.filter(applicant=user).select_related("item"),
            exclude=["applicant", "agent", "reviewed_by", "decided_by", "submit_key"],
            item_code=lambda a: a.item.code,
        ),
        "materials": privacy.dump(
            MaterialFile.objects.filter(application__applicant=user), exclude=["file"]
        ),
        "ratings": privacy.dump(Rating.objects.filter(application__applicant=user)),
        "authorisations": privacy.dump(
            AgentAuthorisation.objects.filter(Q(principal=user) | Q(agent=user)),
            exclude=["principal", "agent"],
        ),
    }


def erase(user: Any) -> None:
    files = list(MaterialFile.objects.filter(application__applicant=user))
    for stored in files:
        if stored.file:
            stored.file.delete(save=False)
    MaterialFile.objects.filter(pk__in=[f.pk for f in files]).delete()
    Application.objects.filter(applicant=user).update(answers={}, prefilled={}, materials=[])
    Rating.objects.filter(application__applicant=user).update(comment="")

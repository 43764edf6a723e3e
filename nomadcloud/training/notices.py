"""The kinds of notification the training app sends (imported by the app's ``ready()``)."""

from django.utils.translation import gettext_lazy as _

from nomadcloud.notifications.kinds import register

SUBMITTED = register(
    "training.submitted",
    title=_("New submission: %(scenario)s"),
    body=_(
        "%(nomad)s submitted work for %(scenario)s (attempt %(number)s). Please assess it "
        "against the rubric."
    ),
    label=_("Training: a nomad submitted work for assessment"),
)
PASSED = register(
    "training.passed",
    title=_("You passed %(scenario)s"),
    body=_(
        "Your work for %(scenario)s scored %(score)s%% (pass mark %(pass_score)s%%). The "
        "skills it shows are now on your profile as verified work."
    ),
    label=_("Training: your work passed"),
)
FAILED = register(
    "training.failed",
    title=_("Not passed yet: %(scenario)s"),
    body=_(
        "Your work for %(scenario)s scored %(score)s%%, below the pass mark of "
        "%(pass_score)s%%. Read the assessment and submit again while the scenario runs."
    ),
    label=_("Training: your work did not pass"),
)

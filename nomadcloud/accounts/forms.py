"""Forms parse and type page input; the rules live in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.template import loader
from django.utils.translation import gettext_lazy as _

from nomadcloud.accounts.countries import country_choices, country_names
from nomadcloud.accounts.models import ApiToken, Membership, Organisation, User
from nomadcloud.accounts.schemas import OrganisationDraft, PersonChanges
from nomadcloud.core.inputs import html_limits


class SignInForm(AuthenticationForm):
    username = forms.CharField(
        label=_("E-mail or mobile number"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _(
            "The e-mail/mobile number or the password is not correct. Note that both may "
            "be case-sensitive."
        ),
        "inactive": _("This account is inactive."),
    }


class PasswordResetRequestForm(PasswordResetForm):
    """Renders the reset message in the request and sends it in the background (a job), so
    that an address with an account takes as long to answer as one without."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        from nomadcloud.accounts import tasks

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        tasks.send_rendered_email.enqueue(subject, body, to_email)


class ResetPasswordForm(SetPasswordForm):  # type: ignore[type-arg]
    """The new password after a reset: saving it revokes the person's API tokens."""

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=commit)
        if commit:
            from nomadcloud.accounts.services import revoke_personal_tokens

            revoke_personal_tokens(user, reason="password_reset")
        return user


class RegisterForm(forms.Form):
    display_name = forms.CharField(label=_("Your name"), max_length=100)
    email = forms.CharField(
        label=_("E-mail address"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=32,
        required=False,
        help_text=_("Chinese numbers as 13812345678; others with + and the country code."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    nationality = forms.ChoiceField(label=_("Nationality"), choices=country_choices, required=False)
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=settings.LANGUAGES
    )
    is_nomad = forms.BooleanField(
        label=_("I am a digital nomad looking for work and services"), required=False, initial=True
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that NomadCloud processes my personal data to provide its services, "
            "as described in the privacy notice (/privacy)."
        ),
        required=True,
    )


class ProfileForm(forms.Form):
    """One's account as the page shows it; ``draft_from_form(form, PersonChanges)`` checks it
    with the limits the API uses."""

    display_name = forms.CharField(
        label=_("Name"), widget=forms.TextInput(html_limits(PersonChanges, "display_name"))
    )
    email = forms.CharField(
        label=_("E-mail address"),
        required=False,
        widget=forms.TextInput(html_limits(PersonChanges, "email")),
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        required=False,
        widget=forms.TextInput(html_limits(PersonChanges, "phone")),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=settings.LANGUAGES
    )
    is_nomad = forms.BooleanField(label=_("Digital nomad"), required=False)


class ForeignDetailsForm(forms.Form):
    nationality = forms.ChoiceField(label=_("Nationality"), choices=country_choices, required=False)
    passport_number = forms.CharField(
        label=_("Passport number"),
        max_length=20,
        required=False,
        help_text=_("Stored encrypted and only ever shown masked. Leave empty to keep."),
    )
    permit_kind = forms.ChoiceField(
        label=_("Visa or permit"), choices=User.PermitKind.choices, required=False
    )
    permit_valid_from = forms.DateField(
        label=_("Valid from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    permit_valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class EraseForm(forms.Form):
    password = forms.CharField(
        label=_("Your password, to confirm"), max_length=128, widget=forms.PasswordInput
    )


def _hint(name: str) -> dict[str, Any]:
    return html_limits(OrganisationDraft, name)


class OrganisationForm(forms.Form):
    """An organisation as the page shows it; ``draft_from_form`` checks it with the limits of
    OrganisationDraft (the API's too)."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (Organisation.Kind.ENTERPRISE, Organisation.Kind.ENTERPRISE.label),
            (Organisation.Kind.MERCHANT, Organisation.Kind.MERCHANT.label),
            (Organisation.Kind.COMMUNITY, Organisation.Kind.COMMUNITY.label),
        ],
    )
    name_zh = forms.CharField(
        label=_("Name (Chinese)"), required=False, widget=forms.TextInput(_hint("name_zh"))
    )
    name_en = forms.CharField(
        label=_("Name (English)"), required=False, widget=forms.TextInput(_hint("name_en"))
    )
    country = forms.ChoiceField(
        label=_("Country of registration"), choices=country_names, initial="CN"
    )
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        required=False,
        widget=forms.TextInput(_hint("credit_code")),
    )
    registration_number = forms.CharField(
        label=_("Registration number (outside China)"),
        required=False,
        widget=forms.TextInput(_hint("registration_number")),
    )
    description_zh = forms.CharField(
        label=_("Description (Chinese)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, **_hint("description_zh")}),
    )
    description_en = forms.CharField(
        label=_("Description (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, **_hint("description_en")}),
    )


class OrganisationEditForm(OrganisationForm):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        del self.fields["kind"]


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    scope = forms.ChoiceField(label=_("Scope"), choices=ApiToken.Scope.choices)
    expires_in_days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=366, initial=90, required=False
    )


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        coerce=lambda v: v == "1",
        choices=[("1", _("Approve")), ("0", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    checked_registry = forms.BooleanField(
        label=_("I checked the code against the national enterprise credit registry"),
        required=False,  # required to approve: VerificationDecisionDraft says so
        help_text=_("Required to approve."),
    )


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action starts with"), max_length=80, required=False)
    object_type = forms.CharField(label=_("Object type"), max_length=80, required=False)


class SendCodeForm(forms.Form):
    """Where to send a one-time code: the e-mail address or the mobile number on file."""

    channel = forms.ChoiceField(label=_("Send the code by"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = []
        if user.email:
            choices.append(("email", _("E-mail to %(address)s") % {"address": user.masked_email}))
        if user.phone:
            choices.append(("sms", _("Text message to %(number)s") % {"number": user.masked_phone}))
        field = self.fields["channel"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        if choices:
            self.fields["channel"].initial = choices[0][0]


class ResendCodeForm(forms.Form):
    """ "Send the code again" on registration's code step: to the address just given."""


class ConfirmCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

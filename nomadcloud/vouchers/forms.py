"""Forms parse and type page input; the limits are the drafts' (schemas.py) and the rules
live in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nomadcloud.accounts.models import Organisation
from nomadcloud.core.inputs import StrictDecimalField, html_limits
from nomadcloud.vouchers.models import Programme, ServiceKind
from nomadcloud.vouchers.schemas import (
    ApplicationDraft,
    ProgrammeDraft,
    ProviderDraft,
    RedemptionDraft,
    ServiceDraft,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _date(label: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}))


def _text(model: Any, name: str, label: Any, *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.TextInput(html_limits(model, name))
    )


def _money(model: Any, name: str, label: Any) -> StrictDecimalField:
    return StrictDecimalField(label=label, widget=forms.NumberInput(html_limits(model, name)))


class ProgrammeForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Organisation.objects.none(), to_field_name="public_id"
    )
    code = _text(ProgrammeDraft, "code", _("Code"))
    name_zh = _text(ProgrammeDraft, "name_zh", _("Name (Chinese)"), required=False)
    name_en = _text(ProgrammeDraft, "name_en", _("Name (English)"), required=False)
    description_zh = forms.CharField(
        label=_("Description (Chinese)"), required=False, widget=forms.Textarea({"rows": 3})
    )
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea({"rows": 3})
    )
    year = forms.IntegerField(label=_("Year"))
    budget_amount = _money(ProgrammeDraft, "budget_amount", _("Budget (CNY)"))
    max_face_value = _money(ProgrammeDraft, "max_face_value", _("Highest face value (CNY)"))
    copay_ratio = StrictDecimalField(
        label=_("Co-pay ratio (0–1)"),
        max_digits=5,
        decimal_places=4,
        widget=forms.NumberInput({"step": "0.0001", "min": "0", "max": "0.9999"}),
    )
    annual_cap = _money(ProgrammeDraft, "annual_cap", _("Yearly cap per enterprise (CNY)"))
    validity_days = forms.IntegerField(label=_("Validity of a voucher (days)"))
    service_kinds = forms.MultipleChoiceField(
        label=_("Services it pays for"),
        choices=ServiceKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    applications_from = _date(_("Applications from"))
    applications_until = _date(_("Applications until"))

    def __init__(self, *args: Any, departments: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(pk__in=[d.pk for d in departments])


class ProviderForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), to_field_name="public_id"
    )
    legal_representative = _text(ProviderDraft, "legal_representative", _("Legal representative"))
    registered_address = _text(ProviderDraft, "registered_address", _("Registered address"))
    bank_account = _text(ProviderDraft, "bank_account", _("Bank account"))

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])


class ServiceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of service"), choices=ServiceKind.choices)
    name_zh = _text(ServiceDraft, "name_zh", _("Name (Chinese)"), required=False)
    name_en = _text(ServiceDraft, "name_en", _("Name (English)"), required=False)
    list_price = _money(ServiceDraft, "list_price", _("List price (CNY)"))

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (k, label) for k, label in ServiceKind.choices if k in programme.service_kinds
        ]


class ApplicationForm(forms.Form):
    enterprise = forms.ModelChoiceField(
        label=_("Enterprise"), queryset=Organisation.objects.none(), to_field_name="public_id"
    )
    service = forms.TypedChoiceField(label=_("Provider and service"), coerce=int, choices=())
    agreed_price = _money(ApplicationDraft, "agreed_price", _("Agreed price (CNY)"))
    copay_amount = _money(ApplicationDraft, "copay_amount", _("Co-pay you pay yourself (CNY)"))
    copay_declared = forms.BooleanField(
        label=_("We declare that we pay our co-pay to the provider ourselves."), required=False
    )
    purpose = forms.CharField(
        label=_("What the service is for"), required=False, widget=forms.Textarea({"rows": 3})
    )
    legal_representative = _text(
        ApplicationDraft, "legal_representative", _("Legal representative")
    )
    registered_address = _text(ApplicationDraft, "registered_address", _("Registered address"))
    bank_account = _text(ApplicationDraft, "bank_account", _("Bank account"))

    def __init__(
        self,
        *args: Any,
        organisations: list[Organisation],
        services: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["enterprise"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        choice = self.fields["service"]
        assert isinstance(choice, forms.TypedChoiceField)
        choice.choices = [("", "—"), *services]


class RedemptionForm(forms.Form):
    invoice_number = _text(RedemptionDraft, "invoice_number", _("Invoice number"))
    invoice_date = _date(_("Invoice date"))
    invoice_amount = _money(RedemptionDraft, "invoice_amount", _("Invoice amount (CNY)"))
    amount = _money(RedemptionDraft, "amount", _("Amount claimed from the voucher (CNY)"))
    delivered_on = _date(_("Delivered on"))
    report = forms.CharField(
        label=_("Delivery report"), widget=forms.Textarea({"rows": 4}), required=False
    )
    evidence = MultipleFileField(
        label=_("Delivery evidence (report, deliverables, acceptance sheet)"), required=False
    )


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea({"rows": 2})
    )

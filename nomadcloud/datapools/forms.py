from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from nomadcloud.consent import dpv
from nomadcloud.core.fields import MultilingualFormField
from nomadcloud.core.inputs import StrictDecimalField
from nomadcloud.core.jsonsafe import JSONRefused, loads_limited
from nomadcloud.datapools.provenance import MAX_ASSET_BYTES, Asset
from nomadcloud.datapools.validation import MAX_BYTES


class ContributionForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file (UTF-8, with a header line)"),
        help_text=_("At most 1 MB and 5,000 rows; the columns are the pool's schema."),
    )
    consent = forms.BooleanField(
        label=_("I consent to the use of this data for each purpose above, by this pool only."),
        required=True,
    )

    asset = forms.FileField(
        label=_("Asset file"),
        required=False,
        help_text=_("Where the pool requires provenance: the asset itself (at most 2 MB)."),
    )
    sha256 = forms.CharField(
        label=_("SHA-256 of the asset"),
        max_length=64,
        required=False,
        help_text=_("64 hexadecimal characters; the platform checks it against the file."),
    )
    c2pa_manifest = forms.CharField(
        label=_("C2PA manifest reference (optional)"), max_length=500, required=False
    )

    def __init__(self, *args: Any, provenance: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not provenance:
            for name in ("asset", "sha256", "c2pa_manifest"):
                del self.fields[name]

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        return bytes(upload.read())

    def provenance(self) -> Asset | None:
        """The asset with its declared provenance, when the form asks for it."""
        if "sha256" not in self.fields:
            return None
        upload = self.cleaned_data.get("asset")
        return Asset(
            data=bytes(upload.read(MAX_ASSET_BYTES + 1)) if upload else None,
            name=upload.name if upload else "",
            sha256=self.cleaned_data.get("sha256") or "",
            c2pa_manifest=self.cleaned_data.get("c2pa_manifest") or "",
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


KIND_CHOICES = [
    ("traffic", _("Traffic behaviour (科工信局 decides)")),
    ("consumption", _("Culture/tourism consumption (旅文局 decides)")),
    ("metaverse", _("Metaverse assets (旅文局 decides)")),
    ("labelled", _("Labelled data from data-processing work (科工信局 decides)")),
]
MODE_CHOICES = [
    ("aggregate", _("Aggregates (k-anonymous counts)")),
    ("query_template", _("Query templates")),
    ("download", _("Downloads of de-identified extracts")),
]
EXAMPLE_COLUMNS = (
    '[{"name": "day", "type": "date", "required": true},\n'
    ' {"name": "area", "type": "enum", "values": ["yangpu", "sandu"], "required": true},\n'
    ' {"name": "trips", "type": "integer", "min": 0, "max": 500}]'
)


class ProposalForm(forms.Form):
    """A steward's proposal of a pool with its first charter (PoolDraft)."""

    steward = forms.ChoiceField(label=_("Steward (授权运营主体)"))
    kind = forms.ChoiceField(label=_("Kind of pool"), choices=KIND_CHOICES)
    title = MultilingualFormField(label=_("Title"))
    description = MultilingualFormField(label=_("Description"), textarea=True)
    purposes = forms.MultipleChoiceField(label=_("Purposes"), widget=forms.CheckboxSelectMultiple)
    data_categories = forms.MultipleChoiceField(
        label=_("Personal data categories"), widget=forms.CheckboxSelectMultiple, required=False
    )
    classification = forms.ChoiceField(
        label=_("Classification"),
        choices=[("general", _("general data")), ("important", _("important data"))],
    )
    grade = forms.ChoiceField(
        label=_("Grade"),
        choices=[
            ("none", _("no personal information")),
            ("pi", _("personal information")),
            ("sensitive", _("sensitive personal information")),
        ],
        initial="pi",
    )
    consent_notice_version = forms.CharField(label=_("Consent notice version"), max_length=40)
    access_modes = forms.MultipleChoiceField(
        label=_("Access modes"), choices=MODE_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    points_per_row = forms.IntegerField(label=_("Points per accepted row"), min_value=0, initial=0)
    fee_share_percent = forms.IntegerField(
        label=_("Contributors' share of fees (%)"), min_value=0, max_value=100, initial=0
    )
    retention_days = forms.IntegerField(label=_("Retention (days)"), min_value=1, initial=365)
    dp_epsilon_budget = forms.DecimalField(
        label=_("ε budget per agreement (differential privacy)"),
        help_text=_("Empty: exact counts. Set: every aggregate adds Laplace noise and spends ε."),
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        decimal_places=2,
        required=False,
    )
    requires_provenance = forms.BooleanField(
        label=_("Each contribution carries its asset file with a SHA-256 (optional C2PA)"),
        required=False,
    )
    columns = forms.CharField(
        label=_("Schema (JSON list of columns)"),
        # The example is shown as code beside the form (propose.html), not as a placeholder.
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Each column: name, type (string, integer, number, date, enum), required, min, "
            "max, values, max_length, personal."
        ),
    )

    def __init__(self, *args: Any, stewards: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["steward"].choices = stewards  # type: ignore[attr-defined]
        self.fields["purposes"].choices = [(k, v) for k, v in dpv.PURPOSES.items()]  # type: ignore[attr-defined]
        self.fields["data_categories"].choices = [(k, v) for k, v in dpv.DATA_CATEGORIES.items()]  # type: ignore[attr-defined]

    def clean_columns(self) -> list[Any]:
        try:
            value = loads_limited(self.cleaned_data["columns"], max_bytes=20_000)
        except (ValueError, JSONRefused) as exc:
            raise forms.ValidationError(_("The schema is not valid JSON.")) from exc
        if not isinstance(value, list):
            raise forms.ValidationError(_("The schema is a JSON list of columns."))
        return value

    def draft_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "title": data["title"],
            "description": data["description"],
            "charter": {name: data[name] for name in CHARTER_FIELDS},
        }


class AccessRequestForm(forms.Form):
    consumer = forms.ChoiceField(label=_("Requesting enterprise"))
    purpose = forms.ChoiceField(label=_("Purpose"))
    access_mode = forms.ChoiceField(label=_("Access mode"), choices=MODE_CHOICES)
    duration_days = forms.IntegerField(
        label=_("Duration (days)"), min_value=1, max_value=3650, initial=90
    )
    spatial = forms.CharField(
        label=_("Where the data is used (country code)"), min_length=2, max_length=2, initial="CN"
    )

    def __init__(
        self,
        *args: Any,
        consumers: list[tuple[str, str]],
        purposes: list[tuple[str, str]],
        modes: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consumer"].choices = consumers  # type: ignore[attr-defined]
        self.fields["purpose"].choices = purposes  # type: ignore[attr-defined]
        self.fields["access_mode"].choices = [c for c in MODE_CHOICES if c[0] in modes]  # type: ignore[attr-defined]


class NegotiationMoveForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
    access_mode = forms.ChoiceField(
        label=_("Access mode"), choices=[("", "—"), *MODE_CHOICES], required=False
    )
    duration_days = forms.IntegerField(
        label=_("Duration (days)"), min_value=1, max_value=3650, required=False
    )
    fee = StrictDecimalField(label=_("Fee for the whole term (CNY)"), min_value=0, required=False)


def _as_code(name: str) -> str:
    return format_html("<code>{}</code>", name)


class AggregateForm(forms.Form):
    group_by = forms.MultipleChoiceField(
        label=_("Count rows by"), widget=forms.CheckboxSelectMultiple
    )
    sum_of = forms.ChoiceField(label=_("Also sum per group"), required=False)
    epsilon = forms.DecimalField(
        label=_("Privacy loss ε to spend on this query"),
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        decimal_places=2,
        required=False,
        initial=Decimal("0.5"),
    )

    def __init__(
        self,
        *args: Any,
        columns: list[str],
        summable: list[str] | None = None,
        noisy: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Column names are the charter's identifiers: shown as code, never as words.
        self.fields["group_by"].choices = [(c, _as_code(c)) for c in columns]  # type: ignore[attr-defined]
        self.fields["sum_of"].choices = [("", "—"), *[(c, c) for c in summable or []]]  # type: ignore[attr-defined]
        if not summable:
            del self.fields["sum_of"]
        if not noisy:
            del self.fields["epsilon"]


class DistributionForm(forms.Form):
    period = forms.RegexField(
        label=_("Month (YYYY-MM)"),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        error_messages={"invalid": _("Give the month as YYYY-MM.")},
    )
    fees = forms.DecimalField(
        label=_("Fees received in the month (CNY)"),
        required=False,
        min_value=0,
        max_digits=15,
        decimal_places=2,
        help_text=_("The contributors' share of them is paid from the budget chosen."),
    )
    budget = forms.ChoiceField(label=_("Paid from budget"), required=False, choices=[])

    def __init__(self, *args: Any, budgets: list[tuple[str, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["budget"].choices = [("", "—"), *(budgets or [])]  # type: ignore[attr-defined]


class RegistrationForm(forms.Form):
    code = forms.CharField(
        label=_("Registration query code (登记查询码)"),
        max_length=40,
        help_text=_("As the provincial registry issued it, e.g. 460000-2026-DP000123."),
    )


class ScenarioForm(forms.Form):
    """An entry of the scenario library (ScenarioDraft)."""

    enterprise = forms.ChoiceField(label=_("Enterprise"))
    title = MultilingualFormField(label=_("Title"))
    summary = MultilingualFormField(label=_("Use case"), textarea=True)
    outcome = MultilingualFormField(label=_("Outcome"), textarea=True)
    pools = forms.MultipleChoiceField(
        label=_("Data pools used"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        *args: Any,
        enterprises: list[tuple[str, str]],
        pools: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].choices = enterprises  # type: ignore[attr-defined]
        self.fields["pools"].choices = pools  # type: ignore[attr-defined]


# The charter's fields, as the proposal and a charter revision both write them.
CHARTER_FIELDS = (
    "purposes",
    "data_categories",
    "classification",
    "grade",
    "consent_notice_version",
    "access_modes",
    "points_per_row",
    "fee_share_percent",
    "retention_days",
    "columns",
    "dp_epsilon_budget",
    "requires_provenance",
)


class CharterForm(ProposalForm):
    """A new version of a pool's charter (CharterDraft): the proposal's charter fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, stewards=[], **kwargs)
        for name in ("steward", "kind", "title", "description"):
            del self.fields[name]

    def charter_data(self, distribution_period: str) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in CHARTER_FIELDS}
        return {**data, "distribution_period": distribution_period}

    @staticmethod
    def initial_from(charter: Any) -> dict[str, Any]:
        import json

        initial = {name: getattr(charter, name) for name in CHARTER_FIELDS}
        initial["columns"] = json.dumps(charter.columns, ensure_ascii=False, indent=1)
        return initial


# --- query templates (decision 0048) ------------------------------------------------------


class TemplateForm(forms.Form):
    """The steward's template (TemplateDraft): title, SQL over ``release``, parameters."""

    title = MultilingualFormField(label=_("Title"))
    sql = forms.CharField(
        label=_("SQL (one SELECT over the table release, parameters as $name)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The result must name its group size: count(*) AS n."),
    )
    parameters = forms.CharField(
        label=_("Parameters (JSON list)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Each parameter: name, type (integer, number, string, date, enum) and, for an "
            'enum, values. Example: [{"name": "mode", "type": "enum", "values": ["car", "bus"]}]'
        ),
    )

    def clean_parameters(self) -> list[Any]:
        raw = self.cleaned_data["parameters"] or "[]"
        try:
            value = loads_limited(raw, max_bytes=10_000)
        except (ValueError, JSONRefused) as exc:
            raise forms.ValidationError(_("The parameters are not valid JSON.")) from exc
        if not isinstance(value, list):
            raise forms.ValidationError(_("The parameters are a JSON list."))
        return value

    def draft_data(self) -> dict[str, Any]:
        return {
            "title": self.cleaned_data["title"],
            "sql": self.cleaned_data["sql"],
            "parameters": self.cleaned_data["parameters"],
        }


class TemplateRunForm(forms.Form):
    """One approved template's parameters, as text: the service types and checks them."""

    template = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, template: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prefix_id = str(template.public_id)
        self.fields["template"].initial = self.prefix_id
        self.names: list[str] = []
        for spec in template.parameters:
            name = f"p_{spec['name']}"
            self.names.append(spec["name"])
            if spec["type"] == "enum":
                self.fields[name] = forms.ChoiceField(
                    label=spec["name"], choices=[(v, v) for v in spec.get("values", [])]
                )
            else:
                input_type = {"integer": "number", "number": "number", "date": "date"}
                self.fields[name] = forms.CharField(
                    label=spec["name"],
                    max_length=200,
                    widget=forms.TextInput(
                        attrs={"type": input_type.get(spec["type"], "text"), "step": "any"}
                        if spec["type"] != "string"
                        else {}
                    ),
                )

    def parameters(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(f"p_{name}") for name in self.names}

    def apply(self, exc: Any) -> None:
        """A service error on a parameter is shown on its field; others on the form."""
        for field, messages_ in exc.fields.items():
            name = f"p_{field.removeprefix('parameters.')}"
            for message in messages_:
                self.add_error(name if name in self.fields else None, message)
        if not exc.fields:
            self.add_error(None, exc.message)

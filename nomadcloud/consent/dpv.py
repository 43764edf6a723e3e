"""The W3C Data Privacy Vocabulary (DPV 2) terms consent records use: purposes, personal
data categories (the PD extension), legal bases, consent statuses. Stored as compact IRIs
(``dpv:ServiceProvision``, ``pd:Passport``); labels are ours. PIPL terms are mapped onto DPV
core (there is no PIPL module in DPV's LEGAL extension): 单独同意 (separate consent, PIPL
art. 29, 39) is ``dpv:ExplicitlyExpressedConsent``; 敏感个人信息 is ``dpv:SensitivePersonalData``.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CONTEXT = {
    "dpv": "https://w3id.org/dpv#",
    "pd": "https://w3id.org/dpv/pd#",
    "dct": "http://purl.org/dc/terms/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

PURPOSES: dict[str, Promise] = {
    "dpv:ServiceProvision": _("Providing a service you asked for"),
    "dpv:IdentityVerification": _("Verifying your identity"),
    "dpv:LegalCompliance": _("Meeting a legal obligation"),
    "dpv:ServicePersonalisation": _("Personalising the service"),
    "dpv:CommunicationManagement": _("Communicating with you"),
    "dpv:ResearchAndDevelopment": _("Research and development"),
    "dpv:FraudPreventionAndDetection": _("Preventing and detecting fraud"),
    "dpv:RecordManagement": _("Keeping records"),
}

DATA_CATEGORIES: dict[str, Promise] = {
    "pd:Name": _("Name"),
    "pd:EmailAddress": _("E-mail address"),
    "pd:TelephoneNumber": _("Telephone number"),
    "pd:Passport": _("Passport"),
    "pd:Nationality": _("Nationality"),
    "pd:Location": _("Location"),
    "pd:BankAccount": _("Bank account"),
    "pd:Skill": _("Skills"),
    "pd:EmploymentHistory": _("Employment history"),
    "pd:Education": _("Education"),
    "dpv:SensitivePersonalData": _("Sensitive personal information"),
    # Data pools (还数于民): consumption and traffic behaviour.
    "pd:PurchasesAndSpendingHabit": _("Purchases and spending habits"),
    "pd:TravelHistory": _("Travel history"),
}

LEGAL_BASES: dict[str, Promise] = {
    "dpv:Consent": _("Consent"),
    "dpv:ExplicitlyExpressedConsent": _("Separate consent (PIPL art. 29, 39)"),
}

METHODS: dict[str, Promise] = {
    "web_form": _("Form on this site"),
    "api": _("Through the API"),
    "paper": _("Signed on paper"),
    "in_person": _("In person, recorded by staff"),
}

STATUS_GIVEN = "dpv:ConsentGiven"
STATUS_WITHDRAWN = "dpv:ConsentWithdrawn"
STATUS_EXPIRED = "dpv:ConsentExpired"


def label(table: dict[str, Promise], term: str) -> str:
    return str(table.get(term, term))

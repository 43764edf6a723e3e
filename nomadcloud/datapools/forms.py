from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        return bytes(upload.read())


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

"""The forms of the certificate, verification, watchlist and webhook pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.models import Certificate


class NumberForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("Certificate number"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class NumbersFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file of certificate numbers"),
        help_text=gettext_lazy(
            "One number a line, in the first column; a header line is optional. At most 1,000."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )


class DocumentForm(forms.Form):
    document = forms.FileField(
        label=gettext_lazy("Certificate PDF or signed credential"),
        help_text=gettext_lazy(
            "The certificate's PDF, or its signed credential (.jwt), as you received it. At "
            "most 20 MB."
        ),
        required=False,
        allow_empty_file=True,  # said by check_document, with what to upload instead
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.jwt,.txt,application/pdf,application/vc+jwt,text/plain"}
        ),
    )
    credential = forms.CharField(
        label=gettext_lazy("Or paste the credential"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocomplete": "off"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("document") is None and not (data.get("credential") or "").strip():
            raise forms.ValidationError(
                _("Choose the certificate PDF or credential file, or paste the credential.")
            )
        return data


class WatchForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Certificate number"), max_length=64)
    note = forms.CharField(
        label=gettext_lazy("Note (supplier, part)"), max_length=200, required=False
    )


class WatchFileForm(NumbersFileForm):
    """The bulk verification's file, read the same way, with a note for every entry added."""

    note = forms.CharField(
        label=gettext_lazy("Note for every certificate added (supplier, part)"),
        max_length=200,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext_lazy(
            "One number a line, in the first column; a header line is optional. At most 1,000. "
            "If any line is not the number of an issued certificate, nothing is added."
        )


class WebhookForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("Address (URL)"),
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://", "spellcheck": "false"}),
    )


class CertificateStatusForm(forms.Form):
    """A change of a certificate's status with its written reason."""

    # Expired and superseded are set by the portal, never by hand.
    status = forms.ChoiceField(
        label=gettext_lazy("New status"),
        choices=[
            (s.value, s.label)
            for s in Certificate.Status
            if s not in (Certificate.Status.EXPIRED, Certificate.Status.SUPERSEDED)
        ],
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("A status change needs a written reason.")},
    )

"""Forms of the HTML pages. They check the shape of input; services decide everything else."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from certification import access, signin
from certification.exceptions import PortalError
from certification.models import BatteryClass, Dataset, Decision, Organisation, Product
from certification.services import PRODUCT_FIELDS


class SignInForm(AuthenticationForm):
    """Django's sign-in form, refused while the account or the address is locked out
    (``certification.signin``), before the password is even checked."""

    def clean(self):
        remaining = signin.lockout_remaining(
            username=self.data.get("username", ""), address=signin.client_address(self.request)
        )
        if remaining is not None:
            raise forms.ValidationError(signin.locked_message(remaining), code="locked")
        return super().clean()


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = list(PRODUCT_FIELDS)
        help_texts = {
            "model_number": _("Unique within your organisation, as printed on the cell."),
            "max_continuous_power_w": _(
                "With the rated energy, decides high-energy (power / energy < 10) or high-power."
            ),
            "declared_liquid_electrolyte_pct": _(
                "Your own figure; it is shown beside the laboratory's measurement."
            ),
        }

    def clean_declared_liquid_electrolyte_pct(self):
        value = self.cleaned_data.get("declared_liquid_electrolyte_pct")
        if value is not None and not (0 <= value <= 100):
            raise forms.ValidationError(_("Must be between 0 and 100 %."))
        return value


class SubmissionForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none())
    claimed_class = forms.ChoiceField(
        label=_("Claimed class"),
        choices=BatteryClass.choices,
        initial=BatteryClass.ALL_SOLID_STATE,
    )
    lab = forms.ModelChoiceField(
        label=_("Test laboratory"),
        queryset=Organisation.objects.none(),
        help_text=_("Only laboratories whose accreditation is valid today are listed."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices come from the access functions: another maker's product or an unaccredited
        # lab is simply not a valid choice.
        self.fields["product"].queryset = access.products_visible_to(user).filter(
            manufacturer_id=user.organisation_id
        )
        self.fields["lab"].queryset = access.labs_assignable_by(user)
        self.fields["lab"].label_from_instance = lambda lab: (
            f"{lab.name} ({lab.accreditation_number})"
        )


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Data kind"), choices=Dataset.Kind.choices)
    file = forms.FileField(label=_("File"), allow_empty_file=True)


class DecisionForm(forms.Form):
    """A reviewer's verdict and its written reason; ``services.submission_decide`` decides."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=Decision.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose approve, reject or return."),
            "invalid_choice": _("Choose approve, reject or return."),
        },
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Recorded with your name; the manufacturer reads it."),
        error_messages={"required": _("A decision needs a written reason.")},
    )


def form_error_messages(form: forms.Form) -> list[str]:
    """A bound form's errors as sentences for the messages framework (one-button actions)."""
    return [str(message) for errors in form.errors.values() for message in errors]


def add_portal_error(form: forms.Form, exc: PortalError) -> None:
    """Put a service's error on the form: the message, then every field error with its place.

    A field error naming one of the form's own fields goes beside that field; a sheet error
    (row and column of the uploaded file) is listed with its row and column.
    """
    form.add_error(None, exc.message)
    for error in exc.errors:
        if error.column in form.fields and error.row is None:
            form.add_error(error.column, error.message)
        elif error.row is not None and error.column:
            form.add_error(
                None,
                _("Row %(row)s, column %(column)s: %(message)s")
                % {"row": error.row, "column": error.column, "message": error.message},
            )
        elif error.row is not None:
            form.add_error(
                None, _("Row %(row)s: %(message)s") % {"row": error.row, "message": error.message}
            )
        elif error.column:
            form.add_error(
                None,
                _("Column %(column)s: %(message)s")
                % {"column": error.column, "message": error.message},
            )
        elif error.message != exc.message:
            form.add_error(None, error.message)

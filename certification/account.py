"""The signed-in user's own account page: e-mail address and notifications, the password, API
tokens. Thin adapters over ``certification.preferences`` and ``certification.tokens``."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from certification import tokens
from certification.exceptions import NotFound, PortalError
from certification.forms import add_portal_error
from certification.models import User
from certification.preferences import preferences_update


class PasswordForm(forms.Form):
    old_password = forms.CharField(
        label=gettext_lazy("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=gettext_lazy("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy(
            "At least 8 characters, not all digits, not a common password and not like your "
            "username. Every API token of yours stops working."
        ),
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name (what it is for)"), max_length=100, required=False
    )


def _page(
    request,
    *,
    password_form=None,
    token_form=None,
    preferences_form=None,
    new_key=None,
    status=200,
):
    user = request.user
    context = {
        "preferences_form": preferences_form
        or PreferencesForm(
            initial={
                "email": user.email,
                "notifications": user.notifications,
                "language": user.language,
            }
        ),
        "password_form": password_form or PasswordForm(),
        "token_form": token_form or TokenForm(),
        "tokens": tokens.tokens_of(request.user),
        "new_key": new_key,
    }
    return render(request, "accounts/account.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    form = PasswordForm(request.POST)
    if form.is_valid():
        try:
            revoked = tokens.password_change(user=request.user, **form.cleaned_data)
        except PortalError as exc:
            add_portal_error(form, exc)
        else:
            update_session_auth_hash(request, request.user)  # this session stays signed in
            messages.success(
                request,
                _("Your password was changed; %(count)s API token(s) were revoked.")
                % {"count": revoked},
            )
            return redirect("account")
    return _page(request, password_form=form, status=400)


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, token_form=form, status=400)
    token, key = tokens.token_issue(user=request.user, name=form.cleaned_data["name"])
    # The key is shown on this answer only; it is not kept anywhere it could be read again.
    response = _page(request, new_key={"name": token.name, "key": key})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        token = tokens.token_revoke(user=request.user, token_id=pk)
    except NotFound:
        messages.error(request, _("You have no such token."))
    else:
        messages.success(request, _("Token %(name)s was revoked.") % {"name": token.name})
    return redirect("account")


# --- e-mail address and notifications ----------------------------------------------------------


class PreferencesForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address"), required=False, max_length=254)
    notifications = forms.ChoiceField(
        label=gettext_lazy("Status changes of watched certificates"),
        choices=User.Notifications.choices,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "For automakers: how you hear that a certificate your organisation watches changed "
            "status. Without an e-mail address you receive no e-mails."
        ),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of your e-mails"),
        choices=[("", gettext_lazy("Every portal language"))] + list(settings.LANGUAGES),
        required=False,
    )


@login_required
@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST)
    if form.is_valid():
        try:
            preferences_update(user=request.user, **form.cleaned_data)
        except PortalError as exc:
            add_portal_error(form, exc)
        else:
            messages.success(request, _("Your e-mail address and notifications were saved."))
            return redirect("account")
    return _page(request, preferences_form=form, status=400)

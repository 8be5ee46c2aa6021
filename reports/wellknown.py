"""Public endpoints of the certificates: the portal's signing key, for offline verification."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from reports import signing

# The key changes only when it is rotated; verifiers may keep it for a day.
KEY_MAX_AGE_S = 24 * 3600


def _public(response: HttpResponse) -> HttpResponse:
    # Anyone may fetch the key, including a verifier page running on another origin.
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
@cache_control(public=True, max_age=KEY_MAX_AGE_S)
def signing_key_pem(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(signing.public_key_pem(), content_type="text/plain; charset=us-ascii")
    response["Content-Disposition"] = 'inline; filename="ssb-signing-key.pem"'
    return _public(response)


@require_safe
@cache_control(public=True, max_age=KEY_MAX_AGE_S)
def jwks(request: HttpRequest) -> HttpResponse:
    return _public(JsonResponse(signing.jwks(), content_type="application/jwk-set+json"))


@require_safe
@cache_control(public=True, max_age=KEY_MAX_AGE_S)
def signing_key_pem_by_id(request: HttpRequest, kid: str) -> HttpResponse:
    """Any key this portal has signed with, by the ``kid`` in a credential's header."""
    pem = signing.public_key_pem_of(kid)
    if pem is None:
        raise Http404("no signing key with this id")
    response = HttpResponse(pem, content_type="text/plain; charset=us-ascii")
    response["Content-Disposition"] = f'inline; filename="{kid}.pem"'
    return _public(response)

"""Public endpoints of the certificates: the portal's signing key, for offline verification, as
PEM, JWKS and a did:web DID document; the W3C Bitstring Status Lists."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from reports import didweb, signing, status_list

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


@require_safe
@cache_control(public=True, max_age=KEY_MAX_AGE_S)
def did_document(request: HttpRequest) -> HttpResponse:
    """The did:web DID document: the keys of the JWKS as verification methods."""
    return _public(JsonResponse(didweb.document(), content_type="application/did+ld+json"))


@require_safe
def status_list_credential(request: HttpRequest, purpose: str, number: int) -> HttpResponse:
    """A status list as a signed BitstringStatusListCredential (compact JWS, vc+jwt). Caches
    may keep it ``MAX_AGE_S`` seconds and revalidate it with its ETag."""
    published = status_list.published(purpose, number)
    if published is None:
        raise Http404("no such status list")
    if published.etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(published.jws, content_type=status_list.MEDIA_TYPE)
    response["ETag"] = published.etag
    patch_cache_control(response, public=True, max_age=status_list.MAX_AGE_S)
    return _public(response)

"""Where a certificate lives on the web: its page, PDF, signed credential, public verification
page and status API. Every link to a certificate is made here, from the URL names, so a route
that moves moves everywhere at once."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def absolute(path: str) -> str:
    """``path`` on the portal's public address (``SITE_URL``), as printed, signed and mailed."""
    return f"{settings.SITE_URL}{path}"


def verification_url(number: str) -> str:
    """The public verification page of ``number``: the QR code, the credential, the e-mails."""
    return absolute(reverse("verify-certificate", args=[number]))


def verification_page_url() -> str:
    """The public verification page itself (number, CSV and file checks)."""
    return absolute(reverse("verify"))


def status_api_url(number: str) -> str:
    return absolute(reverse("api-verify", args=[number]))


def pdf_url(number: str) -> str:
    return absolute(reverse("certificate-pdf", kwargs={"number": number}))


def credential_url(number: str) -> str:
    return absolute(reverse("certificate-credential", kwargs={"number": number}))


def certificate_links(number: str) -> dict[str, str]:
    """The links a page shows beside a certificate (paths on this site)."""
    return {
        "page": reverse("certificate-page", args=[number]),
        "pdf": reverse("certificate-pdf", kwargs={"number": number}),
        "credential": reverse("certificate-credential", kwargs={"number": number}),
        "verify": reverse("verify-certificate", args=[number]),
    }

"""One error shape for the whole API:

{"detail": "...", "code": "...", "errors": [{"row": 3, "column": "mass_after_g", "message": "..."}]}
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from certification.exceptions import NotFound, PortalError


def _flatten(detail, column=None) -> list[dict]:
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            col = (
                None
                if key == "non_field_errors"
                else (key if column is None else f"{column}.{key}")
            )
            out.extend(_flatten(value, col))
        return out
    if isinstance(detail, list):
        out = []
        for item in detail:
            out.extend(_flatten(item, column))
        return out
    return [{"row": None, "column": column, "message": str(detail)}]


def portal_error_body(exc: PortalError) -> tuple[int, dict]:
    """The HTTP status and body for one of the portal's own errors."""
    status_code = 404 if isinstance(exc, NotFound) else exc.http_status
    body = {"detail": exc.message, "code": exc.code, "errors": [e.as_dict() for e in exc.errors]}
    return status_code, body


def api_exception_body(exc: exceptions.APIException) -> dict:
    """The body for one of DRF's errors other than a validation error."""
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    code = exc.get_codes()
    return {"detail": detail, "code": code if isinstance(code, str) else "error", "errors": []}


def exception_handler(exc, context):
    if isinstance(exc, PortalError):
        status_code, body = portal_error_body(exc)
        return Response(body, status=status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        response.data = {
            "detail": errors[0]["message"]
            if len(errors) == 1
            else "The request has invalid fields.",
            "code": "invalid",
            "errors": errors,
        }
        response.status_code = status.HTTP_400_BAD_REQUEST
    elif isinstance(exc, exceptions.APIException):
        response.data = api_exception_body(exc)
    return response

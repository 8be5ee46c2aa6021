"""How the OpenAPI schema describes the portal's own authentication classes."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class PortalTokenScheme(OpenApiAuthenticationExtension):
    target_class = "certification.auth.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A token from POST /api/v1/auth/token/, sent as `Token <key>`.",
        }


# The answers any operation may give besides its own, in the API's one error shape
# (certification/api/errors.py): what the portal's layers do for every route.
COMMON_ERRORS = {
    "400": "The request is malformed or its data is refused (the errors list says where).",
    "413": "The request body is larger than this address accepts.",
}
AUTHENTICATED_ERRORS = {
    "401": "Not signed in, or the token is wrong, expired or revoked.",
    "403": "Signed in, but this role or organisation may not do this.",
}
OBJECT_ERRORS = {"404": "No such object or page, or not one this user may see."}
WRITE_ERRORS = {"409": "The object is not in a state that allows this."}
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "row": {"type": "integer", "nullable": True},
                    "column": {"type": "string", "nullable": True},
                    "message": {"type": "string"},
                },
            },
        },
    },
    "required": ["detail"],
}


def document_error_answers(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation documents the errors it can give,
    in the one error shape, unless it already says otherwise for that status."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            errors = dict(COMMON_ERRORS)
            if operation.get("security") != [{}] and {} not in operation.get("security", []):
                errors.update(AUTHENTICATED_ERRORS)
            errors.update(OBJECT_ERRORS)
            if method in ("post", "put", "patch", "delete"):
                errors.update(WRITE_ERRORS)
            errors["405"] = "This method is not allowed here."
            for status, description in errors.items():
                operation["responses"].setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result

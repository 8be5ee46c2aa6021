"""Schemathesis against the portal's own OpenAPI schema, in process, as every role and as
anonymous: a bounded number of generated requests per operation, and the build fails on any
5xx, on a status code, content type or body the schema does not document.

Generated data is mostly refused (4xx) — that is the point: every refusal must be a documented
one in the API's one error shape. Whether valid-looking data is *accepted* is not checked here:
most operations depend on state (a draft to submit, a certificate to suspend) a generator
cannot know.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import token_key

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
ROLES = [None, "maker", "lab", "reviewer", "automaker", "regulator"]
EXAMPLES_PER_OPERATION = 4

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    # Called as a WSGI app, Django closes the database connection after each request; the test
    # client does not, and neither may this test (it runs inside one transaction).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=ROLES, ids=lambda role: role or "anonymous")
def headers(request, cast):
    role = request.param
    return {} if role is None else {"Authorization": f"Token {token_key(cast[role])}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case, headers):
    case.call_and_validate(headers=headers, checks=CHECKS)

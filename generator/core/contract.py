"""Facts that several stages, and the generated package's runtime modules, must agree on: each is
written here once and imported, never copied.

The runtime modules are templates (``templates/errors.py.jinja``...), so they cannot import this
module; ``tests/test_contract.py`` parses the rendered modules of a generated package and checks
them against it (the error class for each status, the names the package re-exports).
"""

from __future__ import annotations

import re

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
"""The operations of an OpenAPI 3.x path item, in the specification's order (the order the
generated code lists them in)."""

SWAGGER2_METHODS = tuple(method for method in HTTP_METHODS if method != "trace")
"""Swagger 2.0's: the same without ``trace``."""

PATH_TEMPLATE_PARAM = re.compile(r"\{([^{}]+)\}")
"""A parameter of a path template (``/runs/{run_id}``): group 1 is its name as written."""

MODELS_MODULE = "models"
"""The generated package's models module (or package); its classes are written qualified."""

MODELS_PREFIX = MODELS_MODULE + "."
"""What qualifies a model class in generated code (``models.Run``)."""

ERRORS_MODULE = "errors"
"""The generated module of the client's exceptions (``templates/errors.py.jinja``)."""

BASE_ERROR = "ApiError"
"""Raised for a status outside 2xx that has no class of its own."""

SERVER_ERROR = "InternalServerError"
"""Raised for any 5xx status."""

ERROR_BY_STATUS = {
    "400": "BadRequestError",
    "401": "AuthenticationError",
    "403": "PermissionDeniedError",
    "404": "NotFoundError",
    "409": "ConflictError",
    "422": "UnprocessableEntityError",
    "429": "RateLimitError",
}
"""The exception class the client raises for each 4xx status that has one (``errors.status_error``)."""


def error_class(status: str) -> str:
    """The exception the client raises for a response status (``"404"``, ``"5XX"``, ``"default"``)."""
    if status.startswith("5"):
        return SERVER_ERROR
    return ERROR_BY_STATUS.get(status, BASE_ERROR)


RUNTIME_EXPORTS = (
    ("_response", "RawResponse"),
    ("_response", "ResponseHeaders"),
    ("_sse", "AsyncStream"),
    ("_sse", "ServerSentEvent"),
    ("_sse", "Stream"),
    ("_streaming", "AsyncStreamedResponse"),
    ("_streaming", "StreamedResponse"),
    ("_types", "NOT_GIVEN"),
    ("_types", "NotGiven"),
    ("errors", "ApiClientError"),
    ("errors", "ApiConnectionError"),
    ("errors", "ApiError"),
    ("errors", "ApiTimeoutError"),
    ("errors", "AuthenticationError"),
    ("errors", "BadRequestError"),
    ("errors", "ConflictError"),
    ("errors", "InternalServerError"),
    ("errors", "NotFoundError"),
    ("errors", "PermissionDeniedError"),
    ("errors", "RateLimitError"),
    ("errors", "RedirectError"),
    ("errors", "RequestValidationError"),
    ("errors", "ResponseValidationError"),
    ("errors", "UnprocessableEntityError"),
)
"""(runtime module, name) the package's ``__init__`` re-exports besides the clients."""

"""The enumerations of the intermediate representation (:mod:`oapigen.ir.model` re-exports them)."""

from __future__ import annotations

import enum


class HttpMethod(enum.Enum):
    GET = "GET"
    PUT = "PUT"
    POST = "POST"
    DELETE = "DELETE"
    OPTIONS = "OPTIONS"
    HEAD = "HEAD"
    PATCH = "PATCH"
    TRACE = "TRACE"

    @property
    def idempotent(self) -> bool:
        return self is not HttpMethod.POST and self is not HttpMethod.PATCH


class ParamLocation(enum.Enum):
    PATH = "path"
    QUERY = "query"
    HEADER = "header"
    COOKIE = "cookie"


class TypeKind(enum.Enum):
    ANY = "any"  # an untyped JSON value
    NONE = "none"
    PRIMITIVE = "primitive"  # str, int, float, bool, bytes, and formats (UUID, datetime, date)
    NAMED = "named"  # a class in models.py
    LIST = "list"
    DICT = "dict"  # str keys
    UNION = "union"
    LITERAL = "literal"  # args-free; `literal` holds the values


class BodyKind(enum.Enum):
    JSON = "json"
    FORM = "form"  # application/x-www-form-urlencoded
    MULTIPART = "multipart"
    BINARY = "binary"  # octet-stream, images, anything not text
    TEXT = "text"
    EVENT_STREAM = "event_stream"  # text/event-stream (SSE)
    JSON_LINES = "json_lines"  # NDJSON / JSON Lines / JSON text sequences: one JSON value per line


class SecurityKind(enum.Enum):
    API_KEY = "apiKey"
    HTTP_BEARER = "bearer"
    HTTP_BASIC = "basic"
    OAUTH2 = "oauth2"  # sent as a bearer token
    OPENID_CONNECT = "openIdConnect"  # sent as a bearer token
    UNSUPPORTED = "unsupported"


class OAuthFlowKind(enum.Enum):
    """The OAuth 2 flows of OpenAPI's ``flows`` object (RFC 6749 section 4)."""

    AUTHORIZATION_CODE = "authorizationCode"
    CLIENT_CREDENTIALS = "clientCredentials"
    IMPLICIT = "implicit"
    PASSWORD = "password"


class PageStyle(enum.Enum):
    """How a list operation says where its next page is (see :mod:`oapigen.ir.pagination`)."""

    CURSOR = "cursor"  # a cursor from the body (or a header, or the last item) goes in a parameter
    OFFSET = "offset"  # the offset parameter grows by the items received
    PAGE = "page"  # the page number parameter grows by one
    NEXT_URL = "next_url"  # the body holds the next page's URL
    LINK = "link"  # an RFC 8288 ``Link: <url>; rel="next"`` header

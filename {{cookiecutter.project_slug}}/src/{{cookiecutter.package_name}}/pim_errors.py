"""What a PIM's REST API answers when it does not answer with data, as one family of typed errors.

Every error is a PimApiError with the HTTP status (None when there was no answer) and a message fit for a
page or a log line: the PIM's own words, made printable and short.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .pim_http import PimReply
from .printable import printable
from .scopes import required_scope

MAX_REPORTED_ERRORS = 20  # a 422 can list one error per value; a page shows the first ones


class PimApiError(Exception):
    def __init__(self, status: int | None, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}" if status else message)
        self.status = status
        self.message = message


class PimUnauthorized(PimApiError):
    """401: the App was disconnected in the PIM, or its token was replaced."""


class PimForbidden(PimApiError):
    """403: the granted scopes do not allow this call; `missing_scope` names the one it needs, when known."""

    def __init__(self, status: int, message: str, missing_scope: str | None = None) -> None:
        super().__init__(status, message)
        self.missing_scope = missing_scope

    @property
    def scope(self) -> str | None:
        """The name the dashboard and scope changes use."""
        return self.missing_scope


class PimNotFound(PimApiError):
    """404: no such resource, or an endpoint this PIM does not have."""


@dataclass(frozen=True)
class FieldError:
    """One reason a write was refused, as the PIM lists them under `errors`."""

    property: str
    message: str
    attribute: str | None = None
    locale: str | None = None
    scope: str | None = None

    def __str__(self) -> str:
        where = ", ".join(part for part in (self.attribute, self.locale, self.scope) if part)
        name = f"{self.property} ({where})" if where else self.property
        return f"{name}: {self.message}" if name else self.message


class PimValidationError(PimApiError):
    """422: the PIM refused what was sent (or a query parameter); `errors` lists why, field by field."""

    def __init__(self, status: int, message: str, errors: tuple[FieldError, ...]) -> None:
        details = "; ".join(map(str, errors[:5]))
        if len(errors) > 5:
            details += f"; and {len(errors) - 5} more"
        super().__init__(status, f"{message} {details}" if details else message)
        self.errors = errors


class PimRateLimited(PimApiError):
    """429 still, after the retries that fitted in the call's time."""

    def __init__(self, status: int, message: str, retry_after: int | None) -> None:
        super().__init__(status, message)
        self.retry_after = retry_after


class PimUnavailable(PimApiError):
    """The PIM could not be reached, was too slow, or failed (5xx)."""


class UnexpectedAnswer(PimApiError):
    """The PIM answered 200 with something that is not what this endpoint returns."""


class CatalogUnavailable(PimApiError):
    """A catalog for Apps answered 200 with an `error` instead of products: disabled, or without mapping."""


# The names the App used first; kept so code written against them keeps working.
AppDisconnected = PimUnauthorized
AccessDenied = PimForbidden
RateLimited = PimRateLimited


def error_for(reply: PimReply, body: Any, method: str, path: str) -> PimApiError:
    """The error a non-2xx answer stands for; `body` is its decoded JSON, or None."""
    message = body.get("message") if isinstance(body, dict) else None
    message = printable(message) if isinstance(message, str) and message else "no message"
    status = reply.status
    if status == 401:
        return PimUnauthorized(status, message)
    if status == 403:
        return PimForbidden(status, message, required_scope(method, path))
    if status == 404:
        return PimNotFound(status, message)
    if status == 422:
        return PimValidationError(status, message, field_errors(body))
    if status == 429:
        return PimRateLimited(status, message, retry_after_seconds(reply.headers.get("Retry-After")))
    if 300 <= status < 400:
        return PimApiError(status, "the PIM redirected the call; the App does not follow redirects")
    if status >= 500:
        return PimUnavailable(status, message)
    return PimApiError(status, message)


def field_errors(body: Any) -> tuple[FieldError, ...]:
    """The `errors` of a 422, each checked for shape; anything else in the list is skipped."""
    raw = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(raw, list):
        return ()
    errors = []
    for entry in raw[:MAX_REPORTED_ERRORS]:
        if not isinstance(entry, dict) or not isinstance(entry.get("message"), str):
            continue
        errors.append(
            FieldError(
                property=_text(entry.get("property")) or "",
                message=printable(entry["message"]),
                attribute=_text(entry.get("attribute")),
                locale=_text(entry.get("locale")),
                scope=_text(entry.get("scope")),
            )
        )
    return tuple(errors)


def _text(value: Any) -> str | None:
    return printable(value, 100) if isinstance(value, str) and value else None


def retry_after_seconds(retry_after: str | None) -> int | None:
    """Retry-After in seconds (the PIM sends seconds); None when absent or not a number."""
    text = (retry_after or "").strip()
    return int(text) if text.isdigit() and len(text) <= 6 else None

"""Query strings built like PHP's http_build_query, which is what the PIM uses for its redirects."""

from collections.abc import Mapping
from urllib.parse import quote_plus, urlsplit


def php_urlencode(value: str) -> str:
    # RFC 1738 like PHP urlencode(): everything but [A-Za-z0-9_.-] is escaped, space becomes "+".
    return quote_plus(value, safe="").replace("~", "%7E")


def build_query(params: Mapping[str, str | None]) -> str:
    # http_build_query skips null values, so an absent state is omitted while "" is kept.
    return "&".join(
        f"{php_urlencode(key)}={php_urlencode(value)}" for key, value in params.items() if value is not None
    )


def add_query(url: str, params: Mapping[str, str | None]) -> str:
    """Append params with "?", or with "&" when the URL already has a query string."""
    query = build_query(params)
    if not query:
        return url
    if url.endswith(("?", "&")):
        return url + query
    separator = "&" if urlsplit(url).query else "?"
    return url + separator + query

"""Text that came from outside (a PIM, a request line), made safe for a page or a log line."""

from __future__ import annotations


def printable(text: str, limit: int = 300) -> str:
    """At most `limit` characters, each unprintable one (newline, escape, NUL…) shown as `?`."""
    return "".join(ch if ch.isprintable() else "?" for ch in text[:limit])

"""Headers on every answer of the App, whatever web layer serves it."""

from __future__ import annotations

# Only the App's own styles; no script at all; no framing (the PIM opens Apps in a tab, never a frame).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def security_headers(uses_https: bool) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        # The callback URL holds a code and a state: no page may leak it to another site.
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if uses_https:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return headers

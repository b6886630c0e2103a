"""Whether APP_URL is served by the running ngrok agent: a tunnel URL left in .env from an earlier session is
the commonest reason a PIM cannot reach the App."""

from __future__ import annotations

import json
from urllib.request import urlopen

from .env_values import is_local_url

NGROK_API_URL = "http://127.0.0.1:4040"  # the agent's local API (NGROK_API_URL overrides it)


def live_tunnel_urls(api_url: str = NGROK_API_URL) -> set[str] | None:
    """Public URLs of the running ngrok agent's tunnels; None when no agent answers."""
    try:
        with urlopen(f"{api_url.rstrip('/')}/api/tunnels", timeout=2) as answer:  # noqa: S310 - the local agent
            tunnels = json.load(answer).get("tunnels", [])
    except (OSError, ValueError, AttributeError):
        return None
    return {str(t.get("public_url", "")).rstrip("/") for t in tunnels if isinstance(t, dict)}


def stale_tunnel_warning(app_url: str, api_url: str = NGROK_API_URL) -> str | None:
    """A warning when APP_URL is a public URL that no running tunnel serves."""
    if is_local_url(app_url):
        return None
    live = live_tunnel_urls(api_url)
    if live is not None and app_url.rstrip("/") in live:
        return None
    return (
        f"APP_URL is {app_url}, but no running tunnel serves it, so the PIM cannot reach the App there. Run "
        "make tunnel in another terminal, or empty APP_URL in .env to use http://localhost:PORT."
    )

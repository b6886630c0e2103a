"""`flask --app <package>.web products`: the first API call, from the command line."""

from __future__ import annotations

import click
from flask import Flask

from ..pim_api import PimApiClient, PimApiError
from ..products import summarize
from ..token_cipher import UndecryptableToken
from .pages import services


def register_commands(app: Flask) -> None:
    @app.cli.command("rotate-token-key")
    def rotate_token_key_command() -> None:
        """Re-encrypt every stored token with the first key of TOKEN_ENCRYPTION_KEY."""
        try:
            count = services().store.reencrypt_all()
        except UndecryptableToken as error:
            raise click.ClickException(
                f"{error}. Keep the old key in TOKEN_ENCRYPTION_KEY (after the new one) until this succeeds."
            ) from error
        click.echo(f"Re-encrypted {count} token(s) with the first key of TOKEN_ENCRYPTION_KEY.")

    @app.cli.command("products")
    @click.option("--pim-url", help="Which connected PIM (needed when several are connected).")
    @click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
    def products_command(pim_url: str | None, limit: int) -> None:
        """Print the first products of a connected PIM, using the stored token."""
        app_services = services()
        try:
            connected = [c for c in app_services.store.all() if c.is_connected]
        except UndecryptableToken as error:
            raise click.ClickException(f"{error}: restore the key, or reconnect the PIM.") from error
        if pim_url:
            connected = [c for c in connected if c.pim_url == pim_url.rstrip("/")]
        if not connected:
            raise click.ClickException(
                "No connected PIM"
                + (f" at {pim_url}" if pim_url else "")
                + ". Connect the App from the PIM first (make dev, then Connect in the App Store)."
            )
        if len(connected) > 1:
            urls = ", ".join(c.pim_url for c in connected)
            raise click.ClickException(f"Several PIMs are connected ({urls}); choose one with --pim-url.")
        connection = connected[0]
        client = PimApiClient(
            app_services.http,
            connection.pim_url,
            connection.access_token,
            app_services.limits.command_seconds,
        )
        try:
            page = client.first_products(limit)
        except PimApiError as error:
            raise click.ClickException(f"{connection.pim_url}: {error}") from error
        click.echo(f"{connection.pim_url} ({page.endpoint}), {len(page.items)} product(s):")
        for product in map(summarize, page.items):
            click.echo(f"  {product.key}  {product.family:<16}  {product.label}")

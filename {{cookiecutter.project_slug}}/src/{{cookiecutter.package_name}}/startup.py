"""What every entry point does first: read the settings, set up logging, reach the database.

Whatever is wrong comes back as one line naming the setting to fix, not a traceback: a stopped database or a
missing key is the commonest first-hour problem.
"""

from __future__ import annotations

from collections.abc import Mapping

from .database import DatabaseError
from .env_values import SettingsError
from .logs import configure_logging
from .services import Services, build_services
from .settings import load_settings


class StartupError(Exception):
    """The App cannot start; str() is the one line to show."""


def start(environ: Mapping[str, str] | None = None) -> Services:
    """Settings, logging and services, or StartupError."""
    try:
        settings = load_settings(environ)
        configure_logging(settings.log_level)
        return build_services(settings)
    except (SettingsError, DatabaseError) as error:
        raise StartupError(f"Configuration error: {error}") from None


def startup_problem(environ: Mapping[str, str] | None = None) -> str | None:
    """The one line that keeps the App from starting, or None (gunicorn checks this before forking)."""
    try:
        services = start(environ)
    except StartupError as error:
        return str(error)
    services.engine.dispose()
    return None

"""Settings from environment variables, with `.env` as a fallback for local development.

Real environment variables win over `.env`, so a deployment never depends on a file left on disk.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
{% if cookiecutter.database != "postgresql" -%}
from pathlib import Path
{% endif -%}
from urllib.parse import {% if cookiecutter.database == "postgresql" %}quote, {% endif %}urlsplit

from . import env_values
from .env_values import SettingsError, is_local_url, read_environment, text
from .logs import LEVELS
from .pim_url import is_host_pattern
from .scopes import parse_scopes, unknown_scopes
from .token_cipher import InvalidKey, TokenCipher, parse_keys

# The scopes answered at bake time; AKENEO_SCOPES overrides them.
DEFAULT_SCOPES = [
{%- for scope in cookiecutter.akeneo_scopes.split() %}
    "{{ scope }}",
{%- endfor %}
]
# Akeneo's SaaS PIMs. Loopback is added only while the App itself runs locally (the PIM emulator): in
# production it would let any visitor make the App call services on its own machine.
SAAS_PIM_HOSTS = "*.cloud.akeneo.com"
LOCAL_PIM_HOSTS = "localhost,127.0.0.1"
MIN_SECRET_KEY_LENGTH = 32
WEAK_SECRET_KEYS = frozenset({"changeme", "change-me", "secret", "secret-key", "dev", "development", "test"})


@dataclass(frozen=True)
class Settings:
    client_id: str
    client_secret: str = field(repr=False)
    scopes: tuple[str, ...]
    app_url: str
    secret_key: str = field(repr=False)
    database_url: str
    allowed_pim_hosts: tuple[str, ...]
    port: int
    token_encryption_keys: tuple[str, ...] = field(repr=False)
    # How many proxies in front of the App set X-Forwarded-Proto/Host; 0 trusts none of these headers.
    trusted_proxies: int = 0
    log_level: str = "INFO"

    @property
    def is_local(self) -> bool:
        """True when the App runs on this machine only: development rules apply."""
        return is_local_url(self.app_url)

    @property
    def uses_https(self) -> bool:
        return urlsplit(self.app_url).scheme == "https"

    @property
    def uses_openid(self) -> bool:
        """Whether the App signs PIM users in (OpenID Connect) rather than trusting the activating browser."""
        return "openid" in self.scopes

    @property
    def scope_string(self) -> str:
        return " ".join(self.scopes)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = dict(read_environment() if environ is None else environ)

    client_id = text(env, "AKENEO_CLIENT_ID")
    if not client_id:
        raise SettingsError(
            "AKENEO_CLIENT_ID is not set: paste the client ID from the PIM's Create an App form"
        )
    client_secret = text(env, "AKENEO_CLIENT_SECRET")
    if not client_secret:
        raise SettingsError(
            "AKENEO_CLIENT_SECRET is not set: paste the secret from the PIM's Create an App form"
        )

    scopes = parse_scopes(text(env, "AKENEO_SCOPES", " ".join(DEFAULT_SCOPES)))
    if not scopes:
        raise SettingsError("AKENEO_SCOPES is empty: list the scopes the App needs, space-separated")
    if unknown := unknown_scopes(scopes):
        raise SettingsError(f"AKENEO_SCOPES: unknown scope(s) {' '.join(unknown)} (the PIM would drop them)")

    app_url = normalize_app_url(env_values.app_url(env))
    default_hosts = f"{SAAS_PIM_HOSTS},{LOCAL_PIM_HOSTS}" if is_local_url(app_url) else SAAS_PIM_HOSTS
    allowed = tuple(
        pattern.strip().lower()
        for pattern in text(env, "ALLOWED_PIM_HOSTS", default_hosts).split(",")
        if pattern.strip()
    )
    if not allowed:
        raise SettingsError("ALLOWED_PIM_HOSTS lists no host: no PIM could connect")
    if bad := [pattern for pattern in allowed if not is_host_pattern(pattern)]:
        raise SettingsError(
            f"ALLOWED_PIM_HOSTS: {', '.join(bad)} is not a host name, an IP address or a pattern such as "
            "*.cloud.akeneo.com"
        )

    keys = parse_keys(text(env, "TOKEN_ENCRYPTION_KEY"))
    if not keys:
        raise SettingsError(
            "TOKEN_ENCRYPTION_KEY is not set: make one with .venv/bin/python -c "
            '"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
        )
    try:
        TokenCipher(keys)
    except InvalidKey as error:
        raise SettingsError(f"TOKEN_ENCRYPTION_KEY: {error}") from None

    settings = Settings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=scopes,
        app_url=app_url,
        secret_key=text(env, "SECRET_KEY"),
{%- if cookiecutter.database == "postgresql" %}
        database_url=text(env, "DATABASE_URL") or default_database_url(text(env, "POSTGRES_PASSWORD")),
{%- else %}
        database_url=text(env, "DATABASE_URL") or default_database_url(),
{%- endif %}
        allowed_pim_hosts=allowed,
        port=env_values.port(env),
        token_encryption_keys=keys,
        trusted_proxies=env_values.whole_number(env, "TRUSTED_PROXIES", 0, 0, 10),
        log_level=env_values.one_of(env, "LOG_LEVEL", LEVELS, "INFO"),
    )
    if not settings.secret_key:
        if not settings.is_local:
            raise SettingsError(
                "SECRET_KEY must be set when APP_URL is not localhost (it signs the session cookies); "
                + KEY_RECIPE
            )
        # Development only: sessions then last as long as the process, and one process only.
        settings = replace(settings, secret_key=secrets.token_urlsafe(48))
    elif is_weak_secret_key(settings.secret_key) and not settings.is_local:
        raise SettingsError(
            f"SECRET_KEY is too weak for an App outside localhost (at least {MIN_SECRET_KEY_LENGTH} random "
            f"characters); {KEY_RECIPE}"
        )
    return settings


KEY_RECIPE = 'make one with: python -c "import secrets; print(secrets.token_urlsafe(48))"'


def is_weak_secret_key(key: str) -> bool:
    """Too short, a word from a tutorial, or too few different characters to be random."""
    return len(key) < MIN_SECRET_KEY_LENGTH or key.lower() in WEAK_SECRET_KEYS or len(set(key)) < 12


def normalize_app_url(raw: str) -> str:
    """APP_URL without trailing slash, its scheme and host lowercased (`HTTPS://` is https too)."""
    parts = urlsplit(raw.strip().rstrip("/"))
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise SettingsError(f"APP_URL must be an http(s) URL such as https://my-app.example.com, not {raw!r}")
    return parts._replace(scheme=scheme, netloc=parts.netloc.lower()).geturl()


{% if cookiecutter.database == "postgresql" -%}
def default_database_url(password: str = "") -> str:
    """The PostgreSQL database of compose.yaml, on this machine, with POSTGRES_PASSWORD from .env."""
    database = "{{ cookiecutter.package_name }}"
    return f"postgresql+psycopg://app:{quote(password, safe='')}@localhost:5432/{database}"
{% else -%}
def default_database_url() -> str:
    """A SQLite file in the project's instance folder (the working directory's `instance/`)."""
    return f"sqlite:///{Path.cwd() / 'instance' / '{{ cookiecutter.package_name }}.sqlite3'}"
{% endif -%}

"""Settings for the App's tests: valid values, overridable one field at a time."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from {{ cookiecutter.package_name }}.settings import Settings

# The App's scopes in the tests, and the same with OpenID sign-in (the default of a new project).
SCOPES = ("read_products", "read_catalog_structure")
OPENID_SCOPES = (*SCOPES, "openid", "profile", "email")
CLIENT_ID = "8f0e1cbb-5b23-4c4e-9a41-2f5c2b9d7e10"
CLIENT_SECRET = "test-secret-Zk2f9Q"
# Fernet keys for the tests only.
TOKEN_KEY = "RPhUOUfK9VEOXoNzKhYU1iOALARGpWlSxpdK0AguuHQ="
OTHER_TOKEN_KEY = "8387nyUCjuiEUJN8KfbG5_cmJ2kCLinDwM6QZQ5_Lw4="


def make_settings(**overrides: Any) -> Settings:
    settings = Settings(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        scopes=SCOPES,
        app_url="http://localhost:8000",
        secret_key="test-secret-key-9Qm2Lw8Rt5Xs1Nb7Hc4Jd6",
        database_url="sqlite://",
        allowed_pim_hosts=("*.cloud.akeneo.com", "localhost", "127.0.0.1"),
        port=8000,
        token_encryption_keys=(TOKEN_KEY,),
    )
    return replace(settings, **overrides)

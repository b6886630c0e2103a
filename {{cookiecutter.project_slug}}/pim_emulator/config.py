"""Emulator settings, read from the same environment variables as the App, with the App's parsers."""

from collections.abc import Mapping
from dataclasses import dataclass

from {{ cookiecutter.package_name }} import env_values
from {{ cookiecutter.package_name }}.env_values import SettingsError

MAX_PRODUCTS = 1_000_000
DEFAULT_STATE_FILE = "instance/pim_emulator_state.json"  # relative to the project root, where make runs
# The App's error for a bad setting: one line naming the variable, the same message style everywhere.
ConfigError = SettingsError


@dataclass(frozen=True)
class EmulatorConfig:
    client_id: str
    client_secret: str
    app_url: str
    public_url: str = ""  # empty means http://localhost:{port}
    port: int = env_values.DEFAULT_PIM_EMULATOR_PORT
    product_count: int = 300
    auto_consent: bool = False
    app_name: str = "Your App"
    user_first_name: str = "Julia"
    user_last_name: str = "Stark"
    user_email: str = "julia@example.com"
    state_file: str = ""  # where the state survives restarts; empty keeps it in memory only

    def __post_init__(self) -> None:
        # Frozen dataclass: normalise through object.__setattr__.
        public_url = self.public_url or f"http://localhost:{self.port}"
        object.__setattr__(self, "public_url", public_url.rstrip("/"))
        object.__setattr__(self, "app_url", self.app_url.rstrip("/"))

    @property
    def activate_url(self) -> str:
        return self.app_url + "/activate"

    @property
    def callback_url(self) -> str:
        return self.app_url + "/callback"

    @property
    def app_store_url(self) -> str:
        return self.public_url + "/connect/app-store"

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "EmulatorConfig":
        public_url = env_values.text(environ, "PIM_EMULATOR_URL")
        return cls(
            client_id=_required(environ, "AKENEO_CLIENT_ID"),
            client_secret=_required(environ, "AKENEO_CLIENT_SECRET"),
            # Like the App's settings: APP_URL follows PORT unless it is set on purpose.
            app_url=env_values.app_url(environ),
            public_url=env_values.http_url("PIM_EMULATOR_URL", public_url) if public_url else "",
            port=env_values.port(environ, "PIM_EMULATOR_PORT", env_values.DEFAULT_PIM_EMULATOR_PORT),
            product_count=env_values.whole_number(environ, "PIM_EMULATOR_PRODUCTS", 300, 0, MAX_PRODUCTS),
            auto_consent=env_values.flag(environ, "PIM_EMULATOR_AUTO_CONSENT"),
            app_name=env_values.text(environ, "PIM_EMULATOR_APP_NAME", "Your App"),
            state_file=env_values.text(environ, "PIM_EMULATOR_STATE_FILE", DEFAULT_STATE_FILE),
        )


def _required(environ: Mapping[str, str], name: str) -> str:
    value = env_values.text(environ, name)
    if not value:
        raise ConfigError(f"{name} is empty: copy it from the PIM's Create an App form into .env")
    return value

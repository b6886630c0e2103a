"""Emulator settings, read from the same environment variables as the App."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_PRODUCTS = 1_000_000
DEFAULT_STATE_FILE = "instance/pim_emulator_state.json"  # relative to the project root, where make runs
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


class ConfigError(ValueError):
    """A setting is missing or invalid; the message is one line naming the variable."""


@dataclass(frozen=True)
class EmulatorConfig:
    client_id: str
    client_secret: str
    app_url: str
    public_url: str = ""  # empty means http://localhost:{port}
    port: int = 8081
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
        def get(name: str) -> str:
            return environ.get(name, "").strip()

        client_id = _required(get, "AKENEO_CLIENT_ID")
        client_secret = _required(get, "AKENEO_CLIENT_SECRET")
        # Like the App's settings: APP_URL follows PORT unless it is set on purpose.
        app_port = _int_in_range("PORT", get("PORT"), 8000, 1, 65535)
        app_url = _http_url("APP_URL", get("APP_URL") or f"http://localhost:{app_port}")
        port = _int_in_range("PIM_EMULATOR_PORT", get("PIM_EMULATOR_PORT"), 8081, 1, 65535)
        public_url = get("PIM_EMULATOR_URL")
        if public_url:
            public_url = _http_url("PIM_EMULATOR_URL", public_url)
        count = _int_in_range("PIM_EMULATOR_PRODUCTS", get("PIM_EMULATOR_PRODUCTS"), 300, 0, MAX_PRODUCTS)
        return cls(
            client_id=client_id,
            client_secret=client_secret,
            app_url=app_url,
            public_url=public_url,
            port=port,
            product_count=count,
            auto_consent=_boolean("PIM_EMULATOR_AUTO_CONSENT", get("PIM_EMULATOR_AUTO_CONSENT")),
            app_name=get("PIM_EMULATOR_APP_NAME") or "Your App",
            state_file=get("PIM_EMULATOR_STATE_FILE") or DEFAULT_STATE_FILE,
        )


def _required(get: Callable[[str], str], name: str) -> str:
    value = get(name)
    if not value:
        raise ConfigError(f"{name} is empty: copy it from the PIM's Create an App form into .env")
    return value


def _http_url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{name} must be an http:// or https:// URL, got {value!r}")
    return value.rstrip("/")


def _int_in_range(name: str, raw: str, default: int, low: int, high: int) -> int:
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _boolean(name: str, raw: str) -> bool:
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"{name} must be 1/true/yes or 0/false/no, got {raw!r}")

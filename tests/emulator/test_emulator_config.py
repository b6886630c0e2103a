"""EmulatorConfig: built from the same environment variables as the App, with clear errors."""

import pytest
from pim_emulator.clock import ManualClock
from pim_emulator.config import ConfigError, EmulatorConfig

REQUIRED = {"AKENEO_CLIENT_ID": "client-1", "AKENEO_CLIENT_SECRET": "secret-1"}


def test_defaults_apply_when_only_the_app_credentials_are_set():
    config = EmulatorConfig.from_env(REQUIRED)

    assert config.client_id == "client-1"
    assert config.client_secret == "secret-1"
    assert config.app_url == "http://localhost:8000"
    assert config.port == 8081
    assert config.public_url == "http://localhost:8081"
    assert config.product_count == 300
    assert config.auto_consent is False
    assert config.app_name == "Your App"
    assert (config.user_first_name, config.user_last_name) == ("Julia", "Stark")
    assert config.user_email == "julia@example.com"


def test_activate_and_callback_urls_hang_off_the_app_url():
    config = EmulatorConfig.from_env({**REQUIRED, "APP_URL": "https://my-app.example.com/"})

    assert config.app_url == "https://my-app.example.com"
    assert config.activate_url == "https://my-app.example.com/activate"
    assert config.callback_url == "https://my-app.example.com/callback"


def test_every_setting_can_be_overridden():
    config = EmulatorConfig.from_env(
        {
            **REQUIRED,
            "PIM_EMULATOR_PORT": "9090",
            "PIM_EMULATOR_URL": "https://pim.example.test/",
            "PIM_EMULATOR_AUTO_CONSENT": "1",
            "PIM_EMULATOR_PRODUCTS": "1200",
            "PIM_EMULATOR_APP_NAME": "Shop Sync",
        }
    )

    assert config.port == 9090
    assert config.public_url == "https://pim.example.test"
    assert config.auto_consent is True
    assert config.product_count == 1200
    assert config.app_name == "Shop Sync"


def test_public_url_defaults_to_localhost_on_the_chosen_port():
    config = EmulatorConfig.from_env({**REQUIRED, "PIM_EMULATOR_PORT": "9191"})

    assert config.public_url == "http://localhost:9191"
    assert config.app_store_url == "http://localhost:9191/connect/app-store"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("YES", True), ("0", False), ("false", False), ("", False)],
)
def test_auto_consent_reads_common_boolean_spellings(raw, expected):
    config = EmulatorConfig.from_env({**REQUIRED, "PIM_EMULATOR_AUTO_CONSENT": raw})

    assert config.auto_consent is expected


def test_other_variables_in_the_environment_are_ignored():
    config = EmulatorConfig.from_env({**REQUIRED, "DATABASE_URL": "sqlite://", "LOG_LEVEL": "nonsense"})

    assert config.port == 8081


def test_the_app_url_follows_the_app_port_when_app_url_is_not_set():
    config = EmulatorConfig.from_env({**REQUIRED, "PORT": "9000", "APP_URL": ""})

    assert config.callback_url == "http://localhost:9000/callback"


def test_an_app_url_set_on_purpose_wins_over_the_port():
    config = EmulatorConfig.from_env({**REQUIRED, "PORT": "9000", "APP_URL": "https://app.example.test"})

    assert config.callback_url == "https://app.example.test/callback"


def test_the_state_file_defaults_to_the_instance_folder():
    assert EmulatorConfig.from_env(REQUIRED).state_file == "instance/pim_emulator_state.json"


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"AKENEO_CLIENT_ID": ""}, "AKENEO_CLIENT_ID"),
        ({"AKENEO_CLIENT_SECRET": "  "}, "AKENEO_CLIENT_SECRET"),
        ({"APP_URL": "ftp://files.example.test"}, "APP_URL"),
        ({"APP_URL": "localhost:8000"}, "APP_URL"),
        ({"PIM_EMULATOR_PORT": "eighty"}, "PIM_EMULATOR_PORT"),
        ({"PIM_EMULATOR_PORT": "0"}, "PIM_EMULATOR_PORT"),
        ({"PIM_EMULATOR_PORT": "70000"}, "PIM_EMULATOR_PORT"),
        ({"PIM_EMULATOR_PRODUCTS": "many"}, "PIM_EMULATOR_PRODUCTS"),
        ({"PIM_EMULATOR_PRODUCTS": "-1"}, "PIM_EMULATOR_PRODUCTS"),
        ({"PIM_EMULATOR_PRODUCTS": "99999999"}, "PIM_EMULATOR_PRODUCTS"),
        ({"PIM_EMULATOR_URL": "pim.example.test"}, "PIM_EMULATOR_URL"),
        ({"PIM_EMULATOR_AUTO_CONSENT": "maybe"}, "PIM_EMULATOR_AUTO_CONSENT"),
    ],
    ids=lambda value: value if isinstance(value, str) else next(iter(value.values())) or "empty",
)
def test_invalid_values_raise_a_one_line_error_naming_the_variable(overrides, variable):
    with pytest.raises(ConfigError) as raised:
        EmulatorConfig.from_env({**REQUIRED, **overrides})

    message = str(raised.value)
    assert variable in message
    assert "\n" not in message


def test_missing_client_id_is_an_error():
    with pytest.raises(ConfigError, match="AKENEO_CLIENT_ID"):
        EmulatorConfig.from_env({"AKENEO_CLIENT_SECRET": "secret"})


def test_config_is_immutable():
    config = EmulatorConfig(client_id="c", client_secret="s", app_url="http://localhost:8000")

    with pytest.raises(AttributeError):
        config.port = 1  # type: ignore[misc]


def test_manual_clock_only_moves_when_advanced():
    clock = ManualClock()

    assert clock() == 1_700_000_000.0
    clock.advance(31)
    assert clock() == 1_700_000_031.0

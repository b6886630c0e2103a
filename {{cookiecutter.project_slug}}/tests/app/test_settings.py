"""Settings: environment variables first, `.env` second, and a clear error for each bad value."""

import pytest

from {{ cookiecutter.package_name }}.env_values import SettingsError, read_environment
from {{ cookiecutter.package_name }}.settings import load_settings

from tests.support.app_settings import OTHER_TOKEN_KEY, TOKEN_KEY

VALID = {
    "AKENEO_CLIENT_ID": "8f0e1cbb-5b23-4c4e-9a41-2f5c2b9d7e10",
    "AKENEO_CLIENT_SECRET": "secret",
    "TOKEN_ENCRYPTION_KEY": TOKEN_KEY,
}


STRONG_KEY = "kY3v9QmZp2Lw8Rt5Xs1Nb7Hc4Jd6Fg0Ua_-Ee"
PUBLIC = {"APP_URL": "https://app.example.com", "SECRET_KEY": STRONG_KEY}


def settings_from(**env):
    return load_settings({**VALID, **env})


def test_defaults_suit_local_development():
    settings = settings_from()
    assert settings.port == {{ cookiecutter.port }}
    assert settings.app_url == "http://localhost:{{ cookiecutter.port }}"
    assert settings.is_local
{%- if cookiecutter.database == "postgresql" %}
    assert settings.database_url.startswith("postgresql+psycopg://app:@localhost:5432/")
    assert settings.database_url.endswith("/{{ cookiecutter.package_name }}")
{%- else %}
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("/instance/{{ cookiecutter.package_name }}.sqlite3")
{%- endif %}


{% if cookiecutter.database == "postgresql" -%}
def test_the_default_database_url_carries_the_compose_password():
    url = settings_from(POSTGRES_PASSWORD="p@ss/word").database_url
    assert url.startswith("postgresql+psycopg://app:p%40ss%2Fword@localhost:5432/")


{% endif -%}
def test_the_default_scopes_are_the_ones_chosen_at_bake_time():
    assert list(settings_from().scopes) == [
{%- for scope in cookiecutter.akeneo_scopes.split() %}
        "{{ scope }}",
{%- endfor %}
    ]


def test_scopes_are_read_space_separated_without_repeats():
    assert settings_from(AKENEO_SCOPES="read_products  openid read_products").scopes == (
        "read_products",
        "openid",
    )


def test_an_unknown_scope_is_refused_by_name():
    with pytest.raises(SettingsError, match=r"AKENEO_SCOPES: unknown scope.*read_prodcts"):
        settings_from(AKENEO_SCOPES="read_prodcts")


@pytest.mark.parametrize("name", ["AKENEO_CLIENT_ID", "AKENEO_CLIENT_SECRET"])
def test_missing_credentials_are_refused_by_name(name):
    with pytest.raises(SettingsError, match=name):
        settings_from(**{name: ""})


@pytest.mark.parametrize("port", ["0", "http", "70000"])
def test_a_bad_port_is_refused(port):
    with pytest.raises(SettingsError, match="PORT"):
        settings_from(PORT=port)


def test_a_bad_app_url_is_refused():
    with pytest.raises(SettingsError, match="APP_URL"):
        settings_from(APP_URL="my-app.example.com")


def test_the_app_url_loses_its_trailing_slash():
    settings = settings_from(**{**PUBLIC, "APP_URL": "https://app.example.com/"})
    assert settings.app_url == "https://app.example.com"


def test_secret_key_is_required_when_the_app_is_public():
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        settings_from(APP_URL="https://app.example.com")


def test_a_local_app_gets_a_random_secret_key_when_none_is_set():
    assert len(settings_from(SECRET_KEY="").secret_key) >= 32


def test_allowed_pim_hosts_is_a_comma_separated_list():
    settings = settings_from(ALLOWED_PIM_HOSTS=" pim.example.com , *.Cloud.Akeneo.com ,")
    assert settings.allowed_pim_hosts == ("pim.example.com", "*.cloud.akeneo.com")


def test_https_is_detected_from_the_app_url():
    assert settings_from(**PUBLIC).uses_https


def test_an_upper_case_https_scheme_is_https_too():
    settings = settings_from(**{**PUBLIC, "APP_URL": "HTTPS://App.Example.com"})
    assert settings.uses_https
    assert settings.app_url == "https://app.example.com"


@pytest.mark.parametrize("key", ["changeme", "k", "a" * 40, "0123456789" * 4])
def test_a_weak_secret_key_is_refused_when_the_app_is_public(key):
    with pytest.raises(SettingsError, match="SECRET_KEY is too weak"):
        settings_from(**{**PUBLIC, "SECRET_KEY": key})


def test_a_weak_secret_key_is_tolerated_on_localhost():
    assert settings_from(SECRET_KEY="changeme").secret_key == "changeme"


def test_a_local_app_also_accepts_loopback_pims_by_default():
    assert settings_from().allowed_pim_hosts == ("*.cloud.akeneo.com", "localhost", "127.0.0.1")


@pytest.mark.parametrize("hosts", [None, ""])
def test_a_public_app_accepts_only_saas_pims_by_default(hosts):
    env = {**PUBLIC} if hosts is None else {**PUBLIC, "ALLOWED_PIM_HOSTS": hosts}
    assert settings_from(**env).allowed_pim_hosts == ("*.cloud.akeneo.com",)


def test_a_public_app_keeps_a_loopback_host_that_is_listed():
    settings = settings_from(**PUBLIC, ALLOWED_PIM_HOSTS="*.cloud.akeneo.com,127.0.0.1")
    assert settings.allowed_pim_hosts == ("*.cloud.akeneo.com", "127.0.0.1")


@pytest.mark.parametrize("hosts", [",", "evil.com\\.x", "*evil.com", "pim.example.com/path"])
def test_a_malformed_allowed_pim_hosts_is_refused(hosts):
    with pytest.raises(SettingsError, match="ALLOWED_PIM_HOSTS"):
        settings_from(ALLOWED_PIM_HOSTS=hosts)


def test_no_secret_is_in_the_settings_repr():
    text = repr(settings_from(AKENEO_CLIENT_SECRET="client-secret-value", SECRET_KEY=STRONG_KEY))
    assert "client-secret-value" not in text
    assert STRONG_KEY not in text
    assert TOKEN_KEY not in text


def test_real_environment_variables_win_over_dotenv(tmp_path, monkeypatch):
    dotenv = tmp_path / ".env"
    dotenv.write_text("PORT=9001\nAPP_URL=http://localhost:9001\n")
    monkeypatch.setenv("PORT", "9002")
    values = read_environment(dotenv)
    assert values["PORT"] == "9002"
    assert values["APP_URL"] == "http://localhost:9001"


def test_the_token_encryption_key_is_required():
    with pytest.raises(SettingsError, match="TOKEN_ENCRYPTION_KEY is not set"):
        settings_from(TOKEN_ENCRYPTION_KEY="")


def test_a_malformed_token_encryption_key_is_refused_without_repeating_it():
    with pytest.raises(SettingsError, match="key number 2 is not a Fernet key") as error:
        settings_from(TOKEN_ENCRYPTION_KEY=f"{TOKEN_KEY},not-a-key-at-all")
    assert "not-a-key-at-all" not in str(error.value)


def test_several_token_encryption_keys_are_read_in_order():
    settings = settings_from(TOKEN_ENCRYPTION_KEY=f" {OTHER_TOKEN_KEY} , {TOKEN_KEY} ")
    assert settings.token_encryption_keys == (OTHER_TOKEN_KEY, TOKEN_KEY)


def test_no_proxy_is_trusted_by_default():
    assert settings_from().trusted_proxies == 0


@pytest.mark.parametrize("value", ["-1", "yes", "11"])
def test_a_bad_trusted_proxies_value_is_refused(value):
    with pytest.raises(SettingsError, match="TRUSTED_PROXIES"):
        settings_from(TRUSTED_PROXIES=value)

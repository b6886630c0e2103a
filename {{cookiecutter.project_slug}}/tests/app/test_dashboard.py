"""The dashboard: the PIMs this browser connected, their scopes, and their first products."""

import pytest

from {{ cookiecutter.package_name }}.token_cipher import TokenCipher
from {{ cookiecutter.package_name }}.token_store import SqlTokenStore

from tests.support.app_settings import OTHER_TOKEN_KEY
from tests.support.stack import running_stack


def test_a_browser_that_connected_nothing_sees_how_to_connect(stack):
    page = stack.browser().get(f"{stack.app_url}/")
    assert page.status_code == 200
    assert "Not connected to a PIM yet" in page.text
    assert f"{stack.app_url}/activate" in page.text
    assert f"{stack.app_url}/callback" in page.text


def test_pim_data_is_shown_only_to_the_browser_that_activated(stack):
    stack.connect(stack.browser())
    other = stack.browser().get(f"{stack.app_url}/")
    assert "Not connected to a PIM yet" in other.text
    assert 'class="product"' not in other.text


def test_the_dashboard_shows_the_granted_scopes_and_since_when(stack):
    page = stack.connect(stack.browser())
    assert "<code>read_catalog_structure</code>" in page.text
    assert "<code>read_products</code>" in page.text
    assert "Connected since" in page.text


def test_products_show_label_family_and_uuid(stack):
    page = stack.connect(stack.browser())
    assert "products-uuid" in page.text
    first = page.text.split('class="product"', 1)[1].split("</tr>", 1)[0]
    assert first.count("<td>") == 4


def test_a_disconnection_in_the_pim_shows_reconnect(stack):
    browser = stack.browser()
    stack.connect(browser)
    stack.control("disconnect")
    page = browser.get(f"{stack.app_url}/")
    assert page.status_code == 200
    assert 'id="disconnected"' in page.text
    assert f"/activate?pim_url={stack.pim_url.replace(':', '%3A').replace('/', '%2F')}" in page.text
    assert not stack.store.get(stack.pim_url).is_connected


def test_a_disconnected_pim_is_not_called_again_on_reload(stack):
    browser = stack.browser()
    stack.connect(browser)
    stack.control("disconnect")
    browser.get(f"{stack.app_url}/")
    stack.control("faults", {"rate_limit": {"count": 1, "retry_after": 1}})
    page = browser.get(f"{stack.app_url}/")
    assert 'id="disconnected"' in page.text
    # The rate-limit fault is still armed: the reload made no API call.
    assert stack.pim_state()["faults"]["rate_limit"]["count"] == 1


def test_reconnect_brings_the_products_back(stack):
    browser = stack.browser()
    stack.connect(browser)
    stack.control("disconnect")
    browser.get(f"{stack.app_url}/")
    page = stack.connect(browser)
    assert page.text.count('class="product"') == 10
    assert stack.store.get(stack.pim_url).is_connected


@pytest.mark.slow  # waits out Retry-After
def test_a_rate_limited_call_is_retried_after_retry_after(stack):
    browser = stack.browser()
    stack.connect(browser)
    stack.control("faults", {"rate_limit": {"count": 2, "retry_after": 1}})
    page = browser.get(f"{stack.app_url}/")
    assert page.text.count('class="product"') == 10


@pytest.mark.slow  # waits out Retry-After
def test_a_lasting_rate_limit_is_explained(stack):
    browser = stack.browser()
    stack.connect(browser)
    stack.control("faults", {"rate_limit": {"count": 20, "retry_after": 1}})
    page = browser.get(f"{stack.app_url}/")
    assert "limiting the App" in page.text
    assert 'class="product"' not in page.text


def test_a_token_without_product_scope_explains_the_403(tmp_path):
    with running_stack(tmp_path, scopes=("read_catalog_structure",)) as stack:
        page = stack.connect(stack.browser())
        assert "refused to list products" in page.text
        assert "not allowed to list products" in page.text


def test_a_replaced_token_shows_reconnect(stack):
    browser = stack.browser()
    stack.connect(browser)
    stack.store.save(stack.pim_url, "a" * 86, ("read_catalog_structure", "read_products"))
    page = browser.get(f"{stack.app_url}/")
    assert 'id="disconnected"' in page.text


def test_health_reports_ok_with_a_reachable_store(stack):
    response = stack.browser().get(f"{stack.app_url}/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_reports_503_when_the_store_is_unreachable(stack, tmp_path):
    database = tmp_path / "tokens.sqlite3"
    stack.store.engine.dispose()
    database.unlink()
    database.mkdir()  # a folder where the database file was: SQLite cannot open it
    response = stack.browser().get(f"{stack.app_url}/health")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_an_unknown_page_gets_a_404_page(stack):
    response = stack.browser().get(f"{stack.app_url}/nowhere")
    assert response.status_code == 404
    assert "Go to the dashboard" in response.text


def encrypt_with_another_key(stack):
    """As if TOKEN_ENCRYPTION_KEY lost the key this PIM's token was encrypted with."""
    other = SqlTokenStore(stack.store.engine, TokenCipher([OTHER_TOKEN_KEY]))
    other.save(stack.pim_url, "t" * 86, ("read_products",))


def test_a_token_no_key_can_open_is_explained_with_reconnect(stack):
    browser = stack.browser()
    stack.connect(browser)
    encrypt_with_another_key(stack)
    page = browser.get(f"{stack.app_url}/")
    assert page.status_code == 200
    assert "Token unreadable" in page.text
    assert "TOKEN_ENCRYPTION_KEY" in page.text
    assert "/activate?pim_url=" in page.text


def test_the_products_command_explains_an_unreadable_token(stack):
    stack.connect(stack.browser())
    encrypt_with_another_key(stack)
    result = stack.command("products")
    assert result.exit_code == 1
    assert "TOKEN_ENCRYPTION_KEY" in result.output

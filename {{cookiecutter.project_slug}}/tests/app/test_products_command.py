"""`python -m <package> products`: the first API call from the command line, with the stored token."""

from {{ cookiecutter.package_name }}.token_cipher import TokenCipher
from {{ cookiecutter.package_name }}.token_store import SqlTokenStore

from tests.support.app_settings import OTHER_TOKEN_KEY, TOKEN_KEY
from tests.support.stack import running_stack


def run_products(stack, *args):
    return stack.command("products", *args)


def test_it_prints_the_first_products_of_the_connected_pim(stack):
    stack.connect(stack.browser())
    result = run_products(stack, "--limit", "3")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{stack.pim_url} (/api/rest/v1/products-uuid), 3 product(s)")
    assert len(lines) == 4


def test_it_explains_when_no_pim_is_connected(stack):
    result = run_products(stack)
    assert result.exit_code == 1
    assert "No connected PIM" in result.output


def test_it_asks_which_pim_when_several_are_connected(stack):
    stack.connect(stack.browser())
    stack.store.save("https://other.cloud.akeneo.com", "t" * 86, ("read_products",))
    result = run_products(stack)
    assert result.exit_code == 1
    assert "--pim-url" in result.output


def test_it_reads_the_pim_named_by_pim_url(stack):
    stack.connect(stack.browser())
    stack.store.save("https://other.cloud.akeneo.com", "t" * 86, ("read_products",))
    result = run_products(stack, "--pim-url", stack.pim_url + "/", "--limit", "1")
    assert result.exit_code == 0, result.output


def test_it_reports_a_disconnection_clearly(stack):
    stack.connect(stack.browser())
    stack.control("disconnect")
    result = run_products(stack)
    assert result.exit_code == 1
    assert "disconnected from that PIM" in result.output


def test_a_limit_over_100_is_refused(tmp_path):
    with running_stack(tmp_path) as stack:
        result = run_products(stack, "--limit", "101")
        assert result.exit_code == 2


def test_rotate_token_key_reencrypts_every_token_with_the_first_key(tmp_path):
    with running_stack(tmp_path, token_encryption_keys=(OTHER_TOKEN_KEY, TOKEN_KEY)) as stack:
        SqlTokenStore(stack.store.engine, TokenCipher([TOKEN_KEY])).save(
            "https://acme.cloud.akeneo.com", "t" * 86, ("read_products",)
        )
        result = stack.command("rotate-token-key")
        assert result.exit_code == 0, result.output
        assert "Re-encrypted 1 token(s)" in result.output
        new_key_only = SqlTokenStore(stack.store.engine, TokenCipher([OTHER_TOKEN_KEY]))
        assert new_key_only.get("https://acme.cloud.akeneo.com").access_token == "t" * 86


def test_rotate_token_key_without_the_old_key_fails_clearly(tmp_path):
    with running_stack(tmp_path, token_encryption_keys=(OTHER_TOKEN_KEY,)) as stack:
        SqlTokenStore(stack.store.engine, TokenCipher([TOKEN_KEY])).save(
            "https://acme.cloud.akeneo.com", "t" * 86, ("read_products",)
        )
        result = stack.command("rotate-token-key")
        assert result.exit_code == 1
        assert "Keep the old key" in result.output

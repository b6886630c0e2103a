"""Which scope each REST call needs, so a 403 can name it."""

import pytest

from {{ cookiecutter.package_name }}.scopes import required_scope


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("GET", "/api/rest/v1/products-uuid", "read_products"),
        ("GET", "/api/rest/v1/products/shoe-1", "read_products"),
        ("PATCH", "/api/rest/v1/products-uuid/0a1b", "write_products"),
        ("DELETE", "/api/rest/v1/products-uuid/0a1b", "delete_products"),
        ("GET", "/api/rest/v1/families", "read_catalog_structure"),
        ("DELETE", "/api/rest/v1/families/shoes", "write_catalog_structure"),
        ("GET", "/api/rest/v1/attributes/color/options", "read_attribute_options"),
        ("GET", "/api/rest/v1/attributes/color", "read_catalog_structure"),
        ("GET", "/api/rest/v1/channels", "read_channel_settings"),
        ("GET", "/api/rest/v1/locales", "read_channel_localization"),
        ("GET", "/api/rest/v1/catalogs/42/products", "read_catalogs"),
        ("GET", "/pim/api/rest/v1/categories", "read_categories"),
    ],
)
def test_a_call_needs_the_scope_of_its_resource(method, path, scope):
    assert required_scope(method, path) == scope


@pytest.mark.parametrize("path", ["/api/rest/v1/unknown-things", "/connect/apps/v1/scopes/update", "/"])
def test_an_unknown_path_needs_no_known_scope(path):
    assert required_scope("GET", path) is None

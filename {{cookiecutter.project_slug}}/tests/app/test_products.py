"""What the dashboard shows of a product."""

from {{ cookiecutter.package_name }}.products import summarize


def value(data, locale=None):
    return {"locale": locale, "scope": None, "data": data}


def test_a_uuid_product_is_keyed_by_its_uuid():
    summary = summarize({"uuid": "u-1", "identifier": "sku-1", "family": "shoes", "values": {}})
    assert (summary.key, summary.identifier, summary.family) == ("u-1", "sku-1", "shoes")


def test_a_legacy_product_is_keyed_by_its_identifier():
    assert summarize({"identifier": "sku-1"}).key == "sku-1"


def test_the_english_name_is_the_preferred_label():
    product = {"values": {"name": [value("Chaussure", "fr_FR"), value("Shoe", "en_US")]}}
    assert summarize(product).label == "Shoe"


def test_another_locale_serves_when_english_is_missing():
    assert summarize({"values": {"name": [value("Chaussure", "fr_FR")]}}).label == "Chaussure"


def test_a_non_localizable_label_is_used():
    assert summarize({"values": {"title": [value("Mug")]}}).label == "Mug"


def test_the_identifier_is_the_label_of_last_resort():
    assert summarize({"identifier": "sku-1", "values": {}}).label == "sku-1"


def test_a_product_without_family_shows_a_dash():
    assert summarize({"identifier": "sku-1", "family": None}).family == "—"

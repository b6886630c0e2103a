"""An Akeneo PIM App.

The core (settings, PIM URL rules, activation, the OAuth exchange, the token store, the PIM REST client)
knows no web framework; `web` is the thin Flask layer on top of it.
"""

{% set app_name_literal = cookiecutter.project_name | python_string -%}
APP_NAME = {{ app_name_literal }}{% if app_name_literal | length > 95 %}  # noqa: E501{% endif %}

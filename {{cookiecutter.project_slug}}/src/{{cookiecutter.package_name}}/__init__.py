"""An Akeneo PIM App.

The core (settings, PIM URL rules, activation, the OAuth exchange, the token store, the PIM REST client)
knows no web framework; `web` is the thin Flask layer on top of it.
"""

{% set literal = cookiecutter.project_name | python_string -%}
{#- Laid out as ruff format would: one line if it fits in 110 columns, else wrapped if that fits. -#}
{% if literal | length + 11 <= 110 -%}
APP_NAME = {{ literal }}
{% elif literal | length + 4 <= 110 -%}
APP_NAME = (
    {{ literal }}
)
{% else -%}
APP_NAME = {{ literal }}  # noqa: E501
{% endif -%}

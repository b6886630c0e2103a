"""gunicorn settings for `make serve` and the container image; environment variables override them."""

{% if cookiecutter.web_framework == "fastapi" -%}
import logging
{% endif -%}
import os
import sys

from {{ cookiecutter.package_name }}.env_values import DEFAULT_PORT, read_environment
from {{ cookiecutter.package_name }}.startup import startup_problem

_env = read_environment()

{%- if cookiecutter.web_framework == "fastapi" %}
wsgi_app = "{{ cookiecutter.package_name }}.web.asgi:app"
# uvicorn's worker: an event loop per process; the routes run the synchronous core in its thread pool.
worker_class = "uvicorn_worker.UvicornWorker"
{%- else %}
wsgi_app = "{{ cookiecutter.package_name }}.web.wsgi:app"
# Synchronous workers: a page waits at most 20 s on slow PIMs (CallLimits), well within the timeout below.
worker_class = "sync"
{%- endif %}
bind = f"{_env.get('HOST') or '127.0.0.1'}:{_env.get('PORT') or DEFAULT_PORT}"
# Sessions and tokens live in the database: any worker can serve any request.
workers = int(_env.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)
# Every PIM call a page makes ends well before this (see CallLimits in services.py).
timeout = 30
accesslog = "-"
# %(U)s is the path without its query string: /callback's query holds the single-use code and the state.
access_log_format = '%(h)s %(p)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
# gunicorn 24+ opens a control socket in the home folder by default; the App does not use it.
control_socket_disable = True

# Before any worker starts: a bad setting or an unreachable database is one line here, not a traceback per
# worker.
if problem := startup_problem(_env):
    sys.exit(problem)
if workers > 1 and not (_env.get("SECRET_KEY") or "").strip():
    # Each worker would sign session cookies with its own random key, and refuse the others'.
    sys.exit(
        "SECRET_KEY is not set: several workers need one shared key. `make install` writes one into .env; "
        'or make one with: python -c "import secrets; print(secrets.token_urlsafe(48))"'
    )


def post_fork(server: object, worker: object) -> None:
    """gunicorn logs a failed request's URI, query included: keep the code and state out of the log."""
    from {{ cookiecutter.package_name }}.log_redaction import QueryStringFilter

    worker.log.error_log.addFilter(QueryStringFilter())  # type: ignore[attr-defined]
{%- if cookiecutter.web_framework == "fastapi" %}
    # uvicorn logs each request itself, query string included; the pid tells the workers apart, as %(p)s does.
    access = logging.getLogger("uvicorn.access")
    access.addFilter(QueryStringFilter())
    for handler in access.handlers:
        handler.setFormatter(logging.Formatter("%(asctime)s <%(process)d> %(message)s"))
    logging.getLogger("uvicorn.error").addFilter(QueryStringFilter())
{%- endif %}

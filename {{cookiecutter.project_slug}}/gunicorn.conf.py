"""gunicorn settings for `make serve` and the container image; environment variables override them."""

import os

from {{ cookiecutter.package_name }}.settings import DEFAULT_PORT, read_environment

_env = read_environment()

wsgi_app = "{{ cookiecutter.package_name }}.wsgi:app"
bind = f"{_env.get('HOST') or '127.0.0.1'}:{_env.get('PORT') or DEFAULT_PORT}"
# Sessions live in signed cookies and tokens in the database: any worker can serve any request.
workers = int(_env.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)
timeout = 30
accesslog = "-"
# %(U)s is the path without its query string: /callback's query holds the single-use code and the state.
access_log_format = '%(h)s %(p)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
# gunicorn 24+ opens a control socket in the home folder by default; the App does not use it.
control_socket_disable = True

"""The WSGI entry point for production servers: `gunicorn {{ cookiecutter.package_name }}.wsgi:app`."""

from .web import create_app

app = create_app()

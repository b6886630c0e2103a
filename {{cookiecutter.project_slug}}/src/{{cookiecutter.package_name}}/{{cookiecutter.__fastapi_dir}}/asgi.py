"""The ASGI entry point for production servers (gunicorn.conf.py names it)."""

from . import create_app

app = create_app()

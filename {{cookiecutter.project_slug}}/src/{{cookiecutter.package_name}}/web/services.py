"""What the routes and commands share, built once in create_app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import requests
from flask import current_app

from ..settings import Settings
from ..token_store import TokenStore


@dataclass(frozen=True)
class Services:
    settings: Settings
    store: TokenStore
    http: requests.Session
    clock: Callable[[], float]
    timeout: tuple[float, float]  # (connect, read) seconds for every call to a PIM


def services() -> Services:
    return current_app.extensions["akeneo_app"]

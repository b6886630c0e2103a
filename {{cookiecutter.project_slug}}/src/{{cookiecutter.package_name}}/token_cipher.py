"""Tokens encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`).

TOKEN_ENCRYPTION_KEY holds one or more comma-separated keys: the first encrypts, every one decrypts, so a new
key can be put first, the tokens re-encrypted (`make rotate-token-key`), and the old key removed afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class InvalidKey(ValueError):
    """A key is not a Fernet key; the message never repeats the key."""


class UndecryptableToken(Exception):
    """No configured key opens this token: the key it was encrypted with has been removed."""


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


def parse_keys(setting: str) -> tuple[str, ...]:
    return tuple(key.strip() for key in setting.split(",") if key.strip())


class TokenCipher:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise InvalidKey("no key given")
        fernets = []
        for position, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key.encode("ascii")))
            except (ValueError, UnicodeEncodeError) as error:
                raise InvalidKey(
                    f"key number {position} is not a Fernet key (32 url-safe base64 bytes)"
                ) from error
        self._fernet = MultiFernet(fernets)

    def encrypt(self, token: str) -> str:
        return self._fernet.encrypt(token.encode("utf-8")).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode("ascii")).decode("utf-8")
        except InvalidToken as error:
            raise UndecryptableToken("no key in TOKEN_ENCRYPTION_KEY opens this token") from error

    def rotate(self, ciphertext: str) -> str:
        """The same token, encrypted with the first key."""
        try:
            return self._fernet.rotate(ciphertext.encode("ascii")).decode("ascii")
        except InvalidToken as error:
            raise UndecryptableToken("no key in TOKEN_ENCRYPTION_KEY opens this token") from error

"""Random authorization codes and access tokens, made the way the PIM makes them."""

import base64
import hashlib
import secrets

CODE_LENGTH = 86


def random_code() -> str:
    """86 characters of [A-Za-z0-9]: base64 of a 64-character hex digest, made URL-safe.

    Base64 of hex text never yields "+", "/" or (for 64 bytes) more than the stripped "=="
    padding, so the result is plain alphanumeric, like the PIM's codes and tokens.
    """
    digest = hashlib.sha256(secrets.token_bytes(100)).hexdigest()
    encoded = base64.b64encode(digest.encode("ascii")).decode("ascii")
    return encoded.translate(str.maketrans("+/", "-_")).rstrip("=")

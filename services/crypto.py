"""Encryption at rest for sensitive fields (narratives, evidence, notes) and keyed hashes.

Keys come from settings: WELTOFFEN_ENCRYPTION_KEYS is a comma-separated list of Fernet keys, the
first one encrypts, all of them decrypt. To rotate: put a new key first, run
``weltoffen crypto rotate``, then drop the old key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class FieldCipher:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is needed")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    def encrypt(self, text: str) -> bytes:
        return self._fernet.encrypt(text.encode())

    def decrypt(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode()
        except InvalidToken:
            raise ValueError("cannot decrypt: none of the configured keys fits") from None

    def encrypt_bytes(self, data: bytes) -> bytes:
        return self._fernet.encrypt(data)

    def decrypt_bytes(self, token: bytes) -> bytes:
        try:
            return self._fernet.decrypt(token)
        except InvalidToken:
            raise ValueError("cannot decrypt: none of the configured keys fits") from None

    def rotate(self, token: bytes) -> bytes:
        """Re-encrypt under the first (newest) key."""
        return self._fernet.rotate(token)


def development_key(secret: str) -> str:
    """A Fernet key derived from the secret key, for development and tests only."""
    return base64.urlsafe_b64encode(hashlib.sha256(b"weltoffen-fields:" + secret.encode()).digest()).decode()


def keyed_hash(secret: str, value: str) -> str:
    """A stable, non-reversible mark for matching (e.g. perpetrator handles) without storing them."""
    normalised = value.strip().lower()
    return hmac.new(secret.encode(), b"mark:" + normalised.encode(), hashlib.sha256).hexdigest()[:32]

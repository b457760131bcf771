"""Encryption of bank details at rest (FIN-4, SC-28), with ``cryptography``'s Fernet
(AES-128-CBC and HMAC-SHA256, authenticated) through MultiFernet, so keys can be rotated:
``PAD_ENCRYPTION_KEYS`` lists keys, the first one encrypts, every one decrypts.
``finance_pad_keys_rotate`` re-encrypts every agreement with the first key.
"""

from __future__ import annotations

import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _fernet() -> MultiFernet:
    keys = [key for key in settings.PAD_ENCRYPTION_KEYS if key]
    if not keys:
        raise ImproperlyConfigured("PAD_ENCRYPTION_KEYS is not set: bank details cannot be kept.")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encrypt_bank_details(*, institution: str, transit: str, account: str) -> str:
    plain = json.dumps({"institution": institution, "transit": transit, "account": account})
    return _fernet().encrypt(plain.encode()).decode()


def decrypt_bank_details(token: str) -> dict[str, str]:
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "Bank details cannot be decrypted with PAD_ENCRYPTION_KEYS (a key is missing)."
        ) from exc


def rotate(token: str) -> str:
    return _fernet().rotate(token.encode()).decode()

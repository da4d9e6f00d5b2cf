"""Patient identifiers, notes and payer contacts at rest: Fernet (AES with an HMAC) with a key
kept outside the database. The database keeps only the key's fingerprint, an HMAC of a fixed
label under the key, which tells one key from another without revealing either."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken

from sca_rates.exceptions import PatientKeyError


def new_key() -> str:
    return Fernet.generate_key().decode()


# Fixed forever: a changed label would make every log look started with another key
FINGERPRINT_LABEL = b"sca-rates patient key fingerprint v1"


def _fingerprint(key: str) -> str:
    """An HMAC of ``FINGERPRINT_LABEL`` under the 32 bytes the key stands for, which is what
    Fernet uses: the key as pasted (a trailing newline, a space) and as typed open the same
    ciphertext, and so give one fingerprint.

    A fingerprint over the key's text, as first written, was never released (it was replaced
    the day it was committed): no log holds one of that form, so only this form is read."""
    secret = base64.urlsafe_b64decode(key.encode())
    return hmac.new(secret, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()


class Cipher:
    def __init__(self, key: str) -> None:
        try:
            self._fernet = Fernet(key.encode())
        except (ValueError, TypeError):
            raise PatientKeyError(
                "SCA_PATIENT_KEY is not a valid key. Fix: generate one with "
                "`sca-rates log new-key` and keep it secret"
            ) from None
        self.fingerprint = _fingerprint(key)

    def encrypt(self, value: str | None) -> str | None:
        return None if value is None else self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str | None) -> str | None:
        if token is None:
            return None
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise PatientKeyError(
                "the patient identifiers were stored with another key. Fix: set "
                "SCA_PATIENT_KEY to the key they were stored with"
            ) from None

"""Patient identifiers, notes and payer contacts at rest: Fernet (AES with an HMAC) with a key
kept outside the database. The database keeps only the key's fingerprint, an HMAC of a fixed
label under the key, which tells one key from another without revealing either."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken

from sca_rates.exceptions import PatientKeyError


def new_key() -> str:
    return Fernet.generate_key().decode()


class Cipher:
    def __init__(self, key: str) -> None:
        try:
            self._fernet = Fernet(key.encode())
        except (ValueError, TypeError):
            raise PatientKeyError(
                "SCA_PATIENT_KEY is not a valid key. Fix: generate one with "
                "`sca-rates log new-key` and keep it secret"
            ) from None
        # Fixed forever: a changed label would make every log look started with another key
        label = b"sca-rates patient key fingerprint v1"
        self.fingerprint = hmac.new(key.encode(), label, hashlib.sha256).hexdigest()

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

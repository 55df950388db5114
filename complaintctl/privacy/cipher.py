"""AES-256-GCM for fields and for case keys (docs/design/encrypted-fields.md), through
`cryptography`. Pure functions of their inputs (random nonces and keys aside)."""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from complaintctl.privacy import marker as M

KEY_BYTES = 32


class DecryptFailed(ValueError):
    """The key does not open this ciphertext (wrong key, wrong field, or tampered)."""


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def new_kid() -> bytes:
    return os.urandom(M.KID_BYTES)


def seal(key: bytes, kid: bytes, office: str, path: str, value: str) -> str:
    """The marker holding `value` for the field at `path`; an empty value stays empty."""
    if not value:
        return value
    nonce = os.urandom(M.NONCE_BYTES)  # new on every write
    ct = AESGCM(key).encrypt(nonce, M.pad(value), M.associated_data(path, office, kid))
    return M.encode(M.Marker(office, kid, nonce, ct))


def unseal(key: bytes, marker: M.Marker, path: str) -> str:
    try:
        raw = AESGCM(key).decrypt(marker.nonce, marker.ciphertext,
                                  M.associated_data(path, marker.office, marker.kid))
    except InvalidTag as exc:
        raise DecryptFailed(f"{path}: the key does not open this field") from exc
    return M.unpad(raw)


def _casekey_ad(office: str, kid: bytes, epoch: int) -> bytes:
    return f"complaintctl/{M.VERSION}|casekey|{office}|{M.b64(kid)}|{epoch}".encode()


def wrap_case_key(office_key: bytes, office: str, kid: bytes, epoch: int, case_key: bytes) -> tuple[bytes, bytes]:
    """(nonce, wrapped): a case key under the office data key of `epoch`."""
    nonce = os.urandom(M.NONCE_BYTES)
    return nonce, AESGCM(office_key).encrypt(nonce, case_key, _casekey_ad(office, kid, epoch))


def unwrap_case_key(office_key: bytes, office: str, kid: bytes, epoch: int, nonce: bytes, wrapped: bytes) -> bytes:
    try:
        return AESGCM(office_key).decrypt(nonce, wrapped, _casekey_ad(office, kid, epoch))
    except InvalidTag as exc:
        raise DecryptFailed(f"case key {M.b64(kid)}: the office key does not open it") from exc

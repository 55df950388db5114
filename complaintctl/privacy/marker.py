"""The marker a protected field holds instead of its text: `ENC[v1,OFFICE,keyid,nonce,ct]`
(docs/design/encrypted-fields.md). Pure: the format only, no cryptography, so the server's
validator reads markers without loading any cipher or key."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

from complaintctl.model import fields as F

# R-RT-5: who complained, how to reach them, where, and their own account
ENCRYPTED_FIELDS = (F.INTAKE_COMPLAINANT_NAME, F.INTAKE_COMPLAINANT_CONTACT, F.INTAKE_COMPLAINANT_ADDRESS,
                    F.INTAKE_LOCATION, F.INTAKE_DETAILS)
VERSION = "v1"
ERASED = "[erased]"  # the only clear value a protected field may hold besides empty (erasure, PIPL art. 47)
ENCRYPTED = "[encrypted]"  # what a reader without the key is shown
KID_BYTES = 16
NONCE_BYTES = 12
TAG_BYTES = 16
PAD = 32  # values are zero-padded to a multiple of this, so a marker's length hides the exact text length
_B64 = r"[A-Za-z0-9_-]"
_MARKER = re.compile(rf"^ENC\[(v\d+),([A-Z0-9]{{2,8}}),({_B64}+),({_B64}+),({_B64}+)\]$")


@dataclass(frozen=True)
class Marker:
    office: str
    kid: bytes
    nonce: bytes
    ciphertext: bytes  # with the GCM tag appended

    @property
    def key_id(self) -> str:
        return b64(self.kid)


class BadMarker(ValueError):
    """Text that starts like a marker but is not a well-formed one."""


def b64(raw: bytes) -> str:
    """RFC 4648 §5 base64url without `=`."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise BadMarker(f"not base64url: {text[:20]!r}") from exc


def encode(marker: Marker) -> str:
    return f"ENC[{VERSION},{marker.office},{b64(marker.kid)},{b64(marker.nonce)},{b64(marker.ciphertext)}]"


def decode(text: str) -> Marker:
    """The marker in `text`; BadMarker says what is wrong with it."""
    m = _MARKER.match(text)
    if m is None:
        raise BadMarker("not of the form ENC[v1,OFFICE,keyid,nonce,ciphertext]")
    version, office, kid, nonce, ct = m.groups()
    if version != VERSION:
        raise BadMarker(f"unknown marker version {version}")
    marker = Marker(office, unb64(kid), unb64(nonce), unb64(ct))
    if len(marker.kid) != KID_BYTES or len(marker.nonce) != NONCE_BYTES:
        raise BadMarker("key id or nonce of the wrong length")
    if len(marker.ciphertext) < PAD + TAG_BYTES or (len(marker.ciphertext) - TAG_BYTES) % PAD:
        raise BadMarker("ciphertext of the wrong length")
    return marker


def is_marker(value: Any) -> bool:
    """Whether `value` is a well-formed marker."""
    if not isinstance(value, str) or not value.startswith("ENC["):
        return False
    try:
        decode(value)
    except BadMarker:
        return False
    return True


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def associated_data(path: str, office: str, kid: bytes) -> bytes:
    """What a field's ciphertext is bound to: the field's path (it cannot be moved to another
    field), the office and the key id; not the case ID, so a renumbered case needs no re-encryption."""
    return f"complaintctl/{VERSION}|{path}|{office}|{b64(kid)}".encode()


def pad(text: str) -> bytes:
    raw = text.encode("utf-8")
    return raw + b"\0" * (-len(raw) % PAD)


def unpad(raw: bytes) -> str:
    return raw.rstrip(b"\0").decode("utf-8")


def field_problem(value: Any, office: str) -> str | None:
    """Why a protected field's stored value is not acceptable when privacy is required (the
    server's check, without keys); None when it is a marker of `office`, empty or `[erased]`."""
    if is_empty(value) or value == ERASED:
        return None
    if not isinstance(value, str):
        return "must be an encrypted marker, not clear text"
    try:
        marker = decode(value)
    except BadMarker as exc:
        return "must be an encrypted marker, not clear text" if not value.startswith("ENC[") else str(exc)
    if marker.office != office:
        return f"is encrypted for office {marker.office}, not the case's office {office}"
    return None

"""A case document's protected fields: sealed before a write, revealed for a reader
(docs/design/encrypted-fields.md). The case's key id is the one its markers already name
(an edit re-encrypts under the same case key); a new case gets a new case key, wrapped under
the office's current epoch, which the caller adds to the case-key ref."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from complaintctl.errors import InvalidInput
from complaintctl.i18n import _
from complaintctl.model.case import get, put
from complaintctl.model.lazy import LazyData
from complaintctl.privacy import marker as M
from complaintctl.privacy.casekeys import WrappedKey
from complaintctl.privacy.cipher import DecryptFailed, new_key, new_kid, seal, unseal, wrap_case_key
from complaintctl.privacy.keyring import Keyring


@dataclass(frozen=True)
class NewCaseKey:
    """A case key made for this write: its ref entry is added with the commit."""

    office: str
    kid: str
    entry: WrappedKey


class NoOfficeKey(InvalidInput):
    """This user holds no key that opens the protected fields a command needs: to record or edit
    them, or to mask a bulletin's featured cases (R-RT-5)."""


def key_id_of(data: Mapping[str, Any]) -> str | None:
    """The case key id the case's markers name (the first well-formed one)."""
    for path in M.ENCRYPTED_FIELDS:
        value = get(data, path)
        if M.is_marker(value):
            return M.decode(value).key_id
    return None


def needs_sealing(data: Mapping[str, Any]) -> bool:
    return any(not (M.is_empty(v) or v == M.ERASED or M.is_marker(v))
               for v in (get(data, p) for p in M.ENCRYPTED_FIELDS))


def protect(doc: Any, office: str, keyring: Keyring) -> NewCaseKey | None:
    """Seal every clear protected field of `doc` in place (markers stay as they are); the new
    case key to record, if one was made. NoOfficeKey when this user holds no key of `office`."""
    if not needs_sealing(doc):
        return None
    kid = key_id_of(doc)
    made = None
    if kid is not None:
        key = keyring.case_key(office, kid)
        if key is None:
            raise NoOfficeKey(_("office {office}: you hold no key that opens this case's protected fields "
                                "(R-RT-5) — ask hq to run `complaintctl keys rewrap {office}`").format(office=office))
    else:
        current = keyring.current(office)
        if current is None:
            raise NoOfficeKey(_("office {office}: you hold none of its keys, so you cannot record complainant "
                                "details (R-RT-5) — hq runs `complaintctl keys rewrap {office}` once your "
                                "people[].key is listed").format(office=office))
        raw_kid, key = new_kid(), new_key()
        kid = M.b64(raw_kid)
        nonce, wrapped = wrap_case_key(current.data, office, raw_kid, current.epoch, key)
        made = NewCaseKey(office, kid, WrappedKey(current.epoch, nonce, wrapped))
        keyring.remember(office, kid, key)
    raw = M.unb64(kid)
    for path in M.ENCRYPTED_FIELDS:
        value = get(doc, path)
        if not (M.is_empty(value) or value == M.ERASED or M.is_marker(value)):
            put(doc, path, seal(key, raw, office, path, str(value)))
    return made


def reveal_value(value: Any, path: str, keyring: Keyring | None) -> Any:
    """A stored value as a reader sees it: the plaintext where a key opens it, `[encrypted]` where not."""
    if not isinstance(value, str) or not value.startswith("ENC["):
        return value
    try:
        marker = M.decode(value)
    except M.BadMarker:
        return M.ENCRYPTED
    key = keyring.case_key(marker.office, marker.key_id) if keyring is not None else None
    if key is None:
        return M.ENCRYPTED
    try:
        return unseal(key, marker, path)
    except (DecryptFailed, UnicodeDecodeError):
        return M.ENCRYPTED


def reveal(data: Mapping[str, Any], keyring: Keyring | None) -> Mapping[str, Any]:
    """`data` with its protected fields revealed (a copy; `data` itself when nothing is sealed)."""
    values = {p: get(data, p) for p in M.ENCRYPTED_FIELDS}
    if not any(isinstance(v, str) and v.startswith("ENC[") for v in values.values()):
        return data
    # copy only the sections on the way to the protected fields: a view over many cases pays little
    out: dict[str, Any] = dict(data)
    intake = out["intake"] = dict(out.get("intake") or {})
    if isinstance(intake.get("complainant"), Mapping):
        intake["complainant"] = dict(intake["complainant"])
    for path, value in values.items():
        if isinstance(value, str) and value.startswith("ENC["):
            put(out, path, reveal_value(value, path, keyring))  # type: ignore[arg-type]
    return out


def office_of(data: Mapping[str, Any]) -> str | None:
    """The office the case's markers name (the first well-formed one)."""
    for path in M.ENCRYPTED_FIELDS:
        value = get(data, path)
        if M.is_marker(value):
            return M.decode(value).office
    return None


def readable(data: Mapping[str, Any], keyring: Keyring | None) -> bool:
    """Whether every sealed field of the case opens for this user."""
    kid, office = key_id_of(data), office_of(data)
    if kid is None or office is None:
        return True
    return keyring is not None and keyring.case_key(office, kid) is not None


class Revealed(LazyData):
    """A case document revealed when first read: a view over many records pays only for those
    whose documents it reads."""

    __slots__ = ()

    def __init__(self, src: Mapping[str, Any], keyring: Keyring | None) -> None:
        super().__init__(lambda s: reveal(s, keyring), src)

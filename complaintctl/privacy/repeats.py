"""The blind index with this user's keys (R-AS-5, privacy/blindindex.py): a case's lookups
stamped from its plaintext before it is sealed, and a new caller's lookups under every office
key held. Apart from blindindex itself, which the server's validator reads without a cipher."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from complaintctl.model import fields as F
from complaintctl.model.case import get, put
from complaintctl.privacy import marker as M
from complaintctl.privacy.blindindex import Caller, caller, merged
from complaintctl.privacy.document import reveal_value
from complaintctl.privacy.keyring import Keyring


def callers(keyring: Keyring, offices: Iterable[str], name: str, contact: str) -> Caller:
    """A new caller's lookups under every (office, epoch) whose index key this user holds: an
    office's people find repeats within their office, hq (who holds every office's keys) across
    offices."""
    found = []
    for office in dict.fromkeys(offices):
        for epoch, keys in sorted(keyring.office_keys(office).items()):
            found.append(caller(keys.index, office, epoch, name, contact))
    return merged(found)


def _clear(value: Any) -> bool:
    return isinstance(value, str) and not M.is_empty(value) and value != M.ERASED and not value.startswith("ENC[")


def stamp(doc: Any, office: str, keyring: Keyring) -> None:
    """Before `doc`'s protected fields are sealed: when its name or contact is being written in
    clear (intake, an `edit` of either), its lookups under the office's current index key; an
    erased complainant has none. Otherwise the lookups stay as they are."""
    name, contact = get(doc, F.INTAKE_COMPLAINANT_NAME), get(doc, F.INTAKE_COMPLAINANT_CONTACT)
    if M.ERASED in (name, contact):
        _write(doc, ())
        return
    if not (_clear(name) or _clear(contact)):
        return
    current = keyring.current(office)
    if current is None:
        return  # sealing itself refuses, in one line (privacy.document.NoOfficeKey)
    texts = [str(reveal_value(v, p, keyring)) if isinstance(v, str) else ""
             for v, p in ((name, F.INTAKE_COMPLAINANT_NAME), (contact, F.INTAKE_COMPLAINANT_CONTACT))]
    texts = ["" if t == M.ENCRYPTED else t for t in texts]
    _write(doc, caller(current.index, office, current.epoch, texts[0], texts[1]).all)


def _write(doc: Any, lookups: Sequence[str]) -> None:
    complainant = get(doc, F.INTAKE_COMPLAINANT)
    if not hasattr(complainant, "pop"):
        return
    if lookups:
        put(doc, F.INTAKE_COMPLAINANT_LOOKUP, list(lookups))
    else:
        complainant.pop("lookup", None)

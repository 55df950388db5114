"""R-AS-5 over encrypted fields: a keyed blind index of the complainant's phone and name
(docs/design/encrypted-fields.md, "Repeats").

`intake.complainant.lookup` holds `BIDX[v1,OFFICE,epoch,<16 bytes, base64url>]`: the first 16
bytes of HMAC-SHA256, under the index key of (office, epoch), of a normalised value — a phone
as E.164 (`phonenumbers`, region CN), a name NFKC-folded without spaces. A phone and a name
are hashed apart (a domain tag), so a name never matches a phone. A bare 王女士 or Mr. Li gets
no lookup, as find_repeats ignores it. The lookup is written with the fields it comes from
(intake, or an `edit` of the name or contact) and compared for equality only, in the read index.

What a holder of the index key learns: the phones behind that office's lookups (an 11-digit
mobile space is hashed through in minutes) and so who called more than once. Those holders are
the office's people and hq, who decrypt the same cases anyway. Everyone else sees only which
cases of one office share a caller, and how many. A leaver's index key says nothing about the
lookups of a later epoch.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from complaintctl.model.text import says_too_little
from complaintctl.privacy.marker import b64, unb64

VERSION = "v1"
DIGEST_BYTES = 16
PHONE, NAME = "phone", "name"
_LOOKUP = re.compile(r"^BIDX\[(v\d+),([A-Z0-9]{2,8}),(\d{1,6}),([A-Za-z0-9_-]{22})\]$")


@dataclass(frozen=True)
class Lookup:
    office: str
    epoch: int
    digest: bytes

    def __str__(self) -> str:
        return f"BIDX[{VERSION},{self.office},{self.epoch},{b64(self.digest)}]"


def parse(text: object) -> Lookup | None:
    """A well-formed lookup, or None."""
    m = _LOOKUP.match(text) if isinstance(text, str) else None
    if m is None or m.group(1) != VERSION:
        return None
    digest = unb64(m.group(4))
    return Lookup(m.group(2), int(m.group(3)), digest) if len(digest) == DIGEST_BYTES else None


def phones(contact: str) -> list[str]:
    """Every phone number in a contact, as E.164 (+8613800138000); a local landline keeps the
    area code it was written with, so 0755-8765 4321 and +86 755 8765 4321 are one number."""
    import phonenumbers  # ~70 ms: only commands that record or look up a caller pay it

    found = []
    for m in phonenumbers.PhoneNumberMatcher(contact, "CN", leniency=phonenumbers.Leniency.POSSIBLE):
        found.append(phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164))
    if not found:  # 13800138000 written in one run with text around it, 微信同号
        digits = re.sub(r"\D", "", contact)
        if len(digits) == 11 and digits[0] == "1":
            found.append("+86" + digits)
    return list(dict.fromkeys(found))


def name_key(name: str) -> str | None:
    """A name as it is compared: NFKC, no spaces, case-folded; None when it says too little."""
    if says_too_little(name):
        return None
    folded = "".join(unicodedata.normalize("NFKC", name).split()).casefold()
    return folded or None


def digest(index_key: bytes, kind: str, value: str) -> bytes:
    message = f"complaintctl/bidx/{VERSION}|{kind}|{value}".encode()
    return hmac.new(index_key, message, hashlib.sha256).digest()[:DIGEST_BYTES]


@dataclass(frozen=True)
class Caller:
    """One caller's lookups under one (office, epoch): by phone and by name, kept apart so a
    match can say which (find_repeats: same-contact, same-name)."""

    by_phone: tuple[str, ...]
    by_name: tuple[str, ...]

    @property
    def all(self) -> tuple[str, ...]:
        return self.by_phone + self.by_name


def caller(index_key: bytes, office: str, epoch: int, name: str, contact: str) -> Caller:
    by_phone = tuple(str(Lookup(office, epoch, digest(index_key, PHONE, p))) for p in phones(contact))
    key = name_key(name)
    by_name = (str(Lookup(office, epoch, digest(index_key, NAME, key))),) if key else ()
    return Caller(by_phone, by_name)


def merged(callers: Iterable[Caller]) -> Caller:
    """The lookups of one caller under several epochs (a repeat may span a key rotation)."""
    phones_: list[str] = []
    names: list[str] = []
    for c in callers:
        phones_.extend(c.by_phone)
        names.extend(c.by_name)
    return Caller(tuple(dict.fromkeys(phones_)), tuple(dict.fromkeys(names)))


def stored(values: object) -> tuple[str, ...]:
    """The well-formed lookups a case file holds (anything else is ignored here; the validator
    reports it)."""
    if not isinstance(values, Sequence) or isinstance(values, str):
        return ()
    return tuple(str(v) for v in values if parse(v) is not None)


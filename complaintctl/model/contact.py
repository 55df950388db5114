"""What a complainant's contact is (R-IN-1): a phone number the office can call back — a
mainland mobile, a landline with its area code, a service number, or a foreign number with
its `+` — or an e-mail address. Anything else (`-`, `1391234`, a landline without its area
code) is no way back to the customer."""

from __future__ import annotations

import re

PHONE = "phone"
EMAIL = "email"
# One @, something before it, a dotted domain after it, no spaces: what a mail server takes,
# without pretending to judge every RFC 5322 corner.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
_PHONE_CHARS = re.compile(r"^[0-9+()\s\-.]+$")


def contact_kind(text: str) -> str | None:
    """PHONE, EMAIL, or None when the text is neither."""
    value = text.strip()
    if _EMAIL.match(value):
        return EMAIL
    if not _PHONE_CHARS.match(value) or sum(c.isdigit() for c in value) < 7:
        return None
    import phonenumbers  # imported where used: ~70 ms, and most commands never check a contact

    try:
        number = phonenumbers.parse(value, "CN")  # R-IN-1: a mainland office; `+…` for others
    except phonenumbers.NumberParseException:
        return None
    return PHONE if phonenumbers.is_valid_number(number) else None

"""How case text is cut for searching (R-RP-3) and how contacts compare (R-AS-5): shared by
the knowledge base (reporting) and the read index (repo), which stores the same tokens.

Chinese is written without spaces, so text is cut into overlapping character pairs
(bigrams: 电梯故障 → 电梯 梯故 故障) and English into lower-case words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping

from complaintctl.model.case import get

# field -> weight: the subject says most about what the case is
FIELDS: tuple[tuple[str, float], ...] = (
    ("intake.subject", 2.0), ("intake.details", 1.0), ("plan.measures", 0.5), ("resolution.summary", 1.0),
    ("closing.root_cause", 1.5), ("closing.lesson", 1.5), ("closing.preventive_action", 1.0),
)
_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[a-z0-9]+")


def tokens(text: str) -> list[str]:
    """Bigrams of every run of Chinese characters (a lone character stands alone), English words."""
    out: list[str] = []
    for run in _RUN.findall(text.lower()):
        if run[0].isascii():
            out.append(run)
        elif len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


def vector(data: Mapping[str, object]) -> Counter[str]:
    """A case's tokens with their weights (FIELDS), in the order first met: `similar`'s raw
    vector, which the read index stores per case so `similar` never re-cuts text."""
    vec: Counter[str] = Counter()
    for f, weight in FIELDS:
        for tok in tokens(_clear(get(data, f))):
            vec[tok] += weight  # type: ignore[assignment]
    return vec


def _clear(value: object) -> str:
    """A field's text as the shared index may cut it: a sealed value (R-RT-5) is no text — its
    marker's base64 would only make noise words (`enc`, `v1`, the office code) that match at
    random; the plaintext goes to the key holder's private index instead (repo.index.private)."""
    text = str(value or "")
    return "" if sealed(text) else text


def case_tokens(data: Mapping[str, object]) -> set[str]:
    """Every token of a case's searchable fields."""
    out: set[str] = set()
    for f, _ in FIELDS:
        out.update(tokens(_clear(get(data, f))))
    return out


def sealed(value: str) -> bool:
    """A protected field's stored form that is not its text (R-RT-5): a marker or `[erased]`."""
    return value.startswith("ENC[") or value.strip() == "[erased]"


def contact_key(contact: str) -> str:
    """A phone number by its last 11 digits (spaces, +86, dashes ignored); else the text itself
    ("" for a sealed contact: an encrypted case is matched by its lookups)."""
    if sealed(contact):
        return ""
    digits = re.sub(r"\D", "", contact)
    if len(digits) >= 7:
        return digits[-11:]
    return contact.strip().lower()


# 王女士, Mr. Li: a surname and an honorific say too little to tell one complainant from another
_HONORIFIC_ONLY = re.compile(r"^.(先生|女士|小姐|太太|阿姨|师傅|老师)$|^(mr|mrs|ms|miss|dr)\.?\s", re.IGNORECASE)


def says_too_little(name: str) -> bool:
    """R-AS-5: a blank name, or a bare surname with an honorific, never makes two cases one caller's."""
    return not name.strip() or sealed(name) or bool(_HONORIFIC_ONLY.search(name.strip()))

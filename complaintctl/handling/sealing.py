"""Protected fields on the way into a commit (R-RT-5, docs/design/encrypted-fields.md): sealed
when the policy requires privacy, the new case keys added to the office's case-key ref just
before the commit (an unused key left by a refused commit opens nothing and harms nothing)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from complaintctl.model.case import get, put
from complaintctl.model.ids import parse_case_id
from complaintctl.privacy import casekeys, repeats
from complaintctl.privacy import marker as M
from complaintctl.privacy.document import NewCaseKey, protect, reveal_value
from complaintctl.repo.git import Identity
from complaintctl.repo.workspace import Workspace


def seal(ws: Workspace, doc: Any) -> NewCaseKey | None:
    """Seal `doc`'s clear protected fields under its office's keys, when privacy is required."""
    if not ws.policy.privacy.required:
        return None
    office = parse_case_id(str(doc.get("id"))).office
    repeats.stamp(doc, office, ws.keyring)  # R-AS-5: from the plaintext, before it is sealed
    return protect(doc, office, ws.keyring)


def record(ws: Workspace, made: Iterable[NewCaseKey | None], actor: Identity) -> None:
    by_office: dict[str, dict[str, casekeys.WrappedKey]] = {}
    for key in made:
        if key is not None:
            by_office.setdefault(key.office, {})[key.kid] = key.entry
    for office, entries in by_office.items():
        casekeys.add(ws.git, office, entries, actor)


def revealed_text_fields(ws: Workspace, data: Mapping[str, Any]) -> dict[str, Any]:
    """path -> what the user sees of each protected field (plaintext or `[encrypted]`)."""
    return {p: reveal_value(get(data, p), p, ws.keyring) for p in M.ENCRYPTED_FIELDS}


def keep_unchanged(ws: Workspace, before: Mapping[str, Any], edited: Any) -> None:
    """After a hand edit of the revealed text: a protected field the user left as shown keeps its
    marker (no new ciphertext, no change); `[encrypted]` left as it was also keeps it."""
    shown = revealed_text_fields(ws, before)
    for path, value in shown.items():
        old = get(before, path)
        now = get(edited, path)
        if M.is_marker(old) and (now == value or now == M.ENCRYPTED):
            put(edited, path, old)

"""Kept originals (R-IN-1): the files a case keeps live in exactly one place,
`materials/YYYY/MM/ID/FILE`, arrive in the commit that records the case, match the SHA-256
(and size) the case lists under `intake.attachments`, and never change or go away — except
that sync's renumbering (rules.renumber) moves them, unchanged, with the case.

Pure: the hooks (repo.precommit) hand in what a commit changes and the contents it needs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from complaintctl.errors import InvalidInput
from complaintctl.i18n import _
from complaintctl.model import fields as F
from complaintctl.model.case import get
from complaintctl.model.ids import MATERIALS, CaseId, parse_case_id
from complaintctl.rules.finding import Finding

_PATH = re.compile(rf"^{MATERIALS}/(\d{{4}})/(\d{{2}})/([^/]+)/([^/]+)$")


def is_material_path(path: str) -> bool:
    return path.startswith(MATERIALS + "/")


def case_of(path: str) -> tuple[CaseId, str] | None:
    """(case ID, file name) for materials/YYYY/MM/ID/FILE, when the folders match the ID."""
    m = _PATH.match(path)
    if m is None:
        return None
    try:
        cid = parse_case_id(m[3])
    except InvalidInput:
        return None
    if str(cid) != m[3] or cid.year != int(m[1]) or cid.month != int(m[2]) or m[4].startswith("."):
        return None
    return cid, m[4]


@dataclass(frozen=True)
class MaterialChange:
    status: str  # A, M, D, T
    path: str
    old_blob: str
    new_blob: str
    content: bytes | None  # the new content (A, M), for its hash


def listed(data: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    """file name -> its record in `intake.attachments`."""
    items = get(data, F.INTAKE_ATTACHMENTS) if data is not None else None
    return {str(a.get("file")): a for a in (items or []) if isinstance(a, Mapping)}


def check(changes: list[MaterialChange], added_cases: Mapping[str, Mapping[str, Any] | None],
          moves: Mapping[str, str]) -> list[Finding]:
    """Findings for a commit's changes under materials/ and for the new cases' attachments.

    `added_cases`: case ID -> its data, for each case file the commit adds (a new case, or the
    new half of a renumbering); `moves`: old ID -> new ID for the renumberings it makes."""
    out: list[Finding] = []
    added = {c.path: c for c in changes if c.status == "A"}
    for ch in changes:
        where = case_of(ch.path)
        if where is None:
            out.append(Finding(ch.path, "(file)", "R-IN-1",
                               _("{folder}/ holds only a case's kept originals, at {folder}/YYYY/MM/ID/FILE (the "
                                 "case's year, month and ID)").format(folder=MATERIALS)))
            continue
        cid, name = where
        if ch.status == "D":
            new_id = moves.get(str(cid))
            target = added.get(f"{MATERIALS}/{cid.year:04d}/{cid.month:02d}/{new_id}/{name}") if new_id else None
            if target is None or target.new_blob != ch.old_blob:
                out.append(Finding(ch.path, "(file)", "R-IN-1",
                                   _("a kept original is never removed (only sync's renumbering moves it, "
                                     "unchanged, with its case)")))
            continue
        if ch.status != "A":
            out.append(Finding(ch.path, "(file)", "R-IN-1",
                               _("a kept original never changes (its SHA-256 is in the case)")))
            continue
        if str(cid) not in added_cases:
            out.append(Finding(ch.path, "(file)", "R-IN-1",
                               _("an original is kept in the commit that records case {case_id} (complaintctl "
                                 "import), not added later").format(case_id=cid)))
            continue
        record = listed(added_cases[str(cid)]).get(name)
        digest = hashlib.sha256(ch.content or b"").hexdigest()
        if record is None:
            out.append(Finding(ch.path, "(file)", "R-IN-1",
                               _("case {case_id} does not list {name!r} under intake.attachments")
                               .format(case_id=cid, name=name)))
        elif str(record.get("sha256")) != digest or record.get("size") not in (None, len(ch.content or b"")):
            out.append(Finding(ch.path, "(file)", "R-IN-1",
                               _("its SHA-256 ({digest}…) or size is not what case {case_id} records ({recorded}…)")
                               .format(digest=digest[:12], case_id=cid, recorded=str(record.get("sha256"))[:12])))
    for case_id, data in added_cases.items():
        try:
            folder = parse_case_id(case_id).materials_dir
        except InvalidInput:  # a broken ID: rules.fields names it
            continue
        for name in listed(data):
            if f"{folder}/{name}" not in added:
                out.append(Finding(parse_case_id(case_id).relpath, F.INTAKE_ATTACHMENTS, "R-IN-1",
                                   _("{name!r} is listed but {folder}/{name} is not in the same commit")
                                   .format(name=name, folder=folder)))
    return out

"""Free-form edits of a case file, held to the same rules as every other change."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ruamel.yaml.comments import CommentedMap

from complaintctl import labels
from complaintctl.errors import InvalidInput, ValidationFailed
from complaintctl.handling import lifecycle, sealing
from complaintctl.handling.steps import Step
from complaintctl.i18n import _
from complaintctl.model import fields as F
from complaintctl.model import workflow
from complaintctl.model.case import dump_document, get, load_document, put, to_plain
from complaintctl.repo import store
from complaintctl.repo.git import Identity
from complaintctl.repo.messages import said
from complaintctl.repo.workspace import Workspace
from complaintctl.rules import effects
from complaintctl.rules.finding import Finding


def current_text(ws: Workspace, case_id: str) -> str:
    """The case file as the user edits it: protected fields shown as they read them (R-RT-5)."""
    loaded = store.load_case(ws, case_id)
    shown = sealing.revealed_text_fields(ws, loaded.doc)
    if all(shown[p] == get(loaded.doc, p) for p in shown):
        return loaded.text
    for path, value in shown.items():
        put(loaded.doc, path, value)
    return dump_document(loaded.doc)


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any], prefix: str = "") -> list[str]:
    out = []
    for key in sorted(set(before) | set(after), key=str):
        a, b = before.get(key), after.get(key)
        if a == b:
            continue
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            out.extend(changed_fields(a, b, f"{prefix}{key}."))
        else:
            out.append(f"{prefix}{key}")
    return out


def apply_edit(ws: Workspace, case_id: str, new_text: str, now: datetime, actor: Identity) -> lifecycle.Result:
    loaded = store.load_case(ws, case_id)
    edited = load_document(new_text, loaded.relpath)
    sealing.keep_unchanged(ws, loaded.doc, edited)  # R-RT-5: what was left as shown keeps its marker
    # The fields this edit changes beyond what the entries typed into the timeline explain
    # (those are replayed by the validator like any other entry, rules.effects).
    explained = copy.deepcopy(to_plain(loaded.doc))
    old_entries = loaded.doc.get("timeline") if isinstance(loaded.doc.get("timeline"), list) else []
    new_entries = edited.get("timeline") if isinstance(edited.get("timeline"), list) else []
    for entry in new_entries[len(old_entries):]:
        if isinstance(entry, Mapping):
            effects.apply_entry(explained, to_plain(entry), ws.policy)
    fields = [f for f in changed_fields(explained, to_plain(edited)) if f.split(".")[0] not in ("timeline", "clocks")]
    if ws.policy.privacy.required and {F.INTAKE_COMPLAINANT_NAME, F.INTAKE_COMPLAINANT_CONTACT} & set(fields):
        fields.append(F.INTAKE_COMPLAINANT_LOOKUP)  # R-AS-5: sealing writes the new lookups (privacy.repeats)
    if not fields and to_plain(loaded.doc) == to_plain(edited):
        raise InvalidInput(_("{case}: the edit changes nothing").format(case=loaded.id))
    src, dst_raw = str(loaded.doc.get("status")), edited.get("status")
    dst = None if dst_raw is None or str(dst_raw) == src else str(dst_raw)
    if dst is not None and not workflow.is_legal(src, dst):
        allowed = labels.status_list(workflow.legal_targets(src)) or _("none (terminal)")
        raise ValidationFailed([Finding(loaded.relpath, "status", "R-WF",
                                        _("{src} → {dst} is not a legal transition (from {src}: {allowed})")
                                        .format(src=labels.status_word(src), dst=labels.status_word(dst),
                                                allowed=allowed))])

    def step_for(doc: CommentedMap) -> Step:
        return Step("edit", dst, lambda d: edited, note="hand edit: " + (", ".join(fields) or "timeline"),
                    detail=said("edit", fields=fields), extra={"fields": fields})

    return lifecycle.change(ws, case_id, now, actor, step_for)

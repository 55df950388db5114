"""A complainant's erasure request (R-RT-5, PIPL art. 47; docs/privacy.md, "Erasure"), by hq:
one `erase` entry sets the protected fields to `[erased]`, drops the blind-index lookups and
names the case key it retires. On that push the server's post-receive takes the key out of the
office's case-key ref (remote/erasure.py), and each clone drops it at its next `sync`; after
that no holder of current keys opens the case's old markers still in git history."""

from __future__ import annotations

from datetime import datetime

from ruamel.yaml.comments import CommentedMap

from complaintctl.errors import InvalidInput
from complaintctl.handling import lifecycle
from complaintctl.handling.steps import Step
from complaintctl.i18n import _
from complaintctl.model.case import get
from complaintctl.privacy import marker as M
from complaintctl.privacy.document import key_id_of
from complaintctl.repo.git import Identity
from complaintctl.repo.workspace import Workspace


def erase(ws: Workspace, case_id: str, reason: str, now: datetime, actor: Identity) -> lifecycle.Result:
    """Erase the complainant's data of one case; only a role `approvals.erase` lists (hq)."""
    if not reason.strip():
        raise InvalidInput("--reason: R-RT-5: " + _("required (real text, not only spaces)"))
    roles = ws.policy.roles_of(actor.name, actor.email)
    if not ws.policy.authority.allows(roles, "erase"):
        raise InvalidInput(_("{person} may not erase a complainant's data: that needs role {roles} "
                             "(approvals.erase)").format(person=actor.name,
                                                         roles=", ".join(ws.policy.authority.roles_for("erase") or ())))

    def step_for(doc: CommentedMap) -> Step:
        fields = [p for p in M.ENCRYPTED_FIELDS if not M.is_empty(get(doc, p)) and get(doc, p) != M.ERASED]
        if not fields:
            raise InvalidInput(_("{case}: nothing left to erase").format(case=case_id))
        extra: dict[str, object] = {"fields": fields}
        kid = key_id_of(doc)
        if kid is not None:
            extra["key"] = kid
        return Step("erase", None, note=reason, extra=extra)

    return lifecycle.change(ws, case_id, now, actor, step_for)

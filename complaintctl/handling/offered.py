"""What a person may do next on a case: the steps its status allows, kept to those the policy
lets this person take (`approvals`, through `Authority.allows`) and not a decision the person
complained about would take (R-RT-3, `rules.recusal`). The UI offers these and only these; the
step's own validation still judges whatever is sent."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

from complaintctl.model import workflow
from complaintctl.model.snapshot import Case
from complaintctl.policy import clocks
from complaintctl.policy.policy import Policy
from complaintctl.policy.sla import WRITTEN
from complaintctl.repo.git import Identity
from complaintctl.rules import ledger_actions, recusal

# Steps that leave the status where it is, by the status they are taken in.
_IN_PLACE: Mapping[str, tuple[str, ...]] = {
    "resolved": ("revisit",),  # R-CL-1: the revisit comes before closing
}
_NO_NOTES = frozenset({"closed", "invalid"})


def next_steps(status: str) -> tuple[str, ...]:
    """The steps a case in `status` can take, in the lifecycle's order, plus a note while it is open."""
    steps = [action for (src, _dst), action in workflow.TRANSITIONS.items() if src == status]
    steps[0:0] = _IN_PLACE.get(status, ())
    if status not in _NO_NOTES:
        steps.append("note")
    return tuple(dict.fromkeys(steps))


def running_clocks(data: Mapping[str, Any], tz: tzinfo) -> tuple[str, ...]:
    """The case's clocks not yet met (the typed case's stored clocks): the ones an extension
    (R-DL-2) or a written report (R-DL-4/R-DL-5) can name."""
    return tuple(c.name for c in Case.from_data(data, tz).clocks if c.done is None)


def deadline_steps(data: Mapping[str, Any], status: str, tz: tzinfo) -> tuple[str, ...]:
    """The steps on a running case's clocks, which leave its status where it is: an extension
    (R-DL-2, an approver's), an escalation one level up (R-ES-1: the handler's, or someone's
    above the case's level), a written report filed (R-DL-4/R-DL-5) while one is due."""
    if status in clocks.STOPPED:
        return ()
    running = running_clocks(data, tz)
    steps = ["extend", "escalate"] if running else ["escalate"]
    if any(c in WRITTEN for c in running):
        steps.append("report-filed")
    return tuple(steps)


def gate(action: str, status: str) -> str | None:
    """The `approvals` key that governs taking `action` from `status`; None when nobody's approval
    is needed. R-CL-1/R-CL-3: reopening a resolved case answers a dissatisfied customer and is
    anyone's; reopening a closed one is an approver's."""
    if action == "reopen" and status != "closed":
        return None
    return action


def offered(data: Mapping[str, Any], status: str, policy: Policy, person: Identity) -> tuple[str, ...]:
    """The steps `person` may take on this case now."""
    roles = policy.roles_of(person.name, person.email)
    out = []
    for action in (*next_steps(status), *deadline_steps(data, status, policy.tz)):
        key = gate(action, status)
        if key is not None and not policy.authority.allows(roles, key):
            continue
        if action in recusal.DECISIONS and recusal.is_accused(data, person.name):  # R-RT-3
            continue
        if action == "escalate" and not ledger_actions.may_escalate(policy.escalation_chain, data, person.name, roles):
            continue
        out.append(action)
    return tuple(out)

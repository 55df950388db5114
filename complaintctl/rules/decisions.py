"""Sensitive decisions that set a rule aside: each needs a role (`approvals`) and a reason, and
records both in its entry (`role`, and the reason), so `history` and `report` can show who
decided and why (docs/authority.md).

- R-CL-3: reopening a *closed* (archived) case — `reopen` with `role` and its reason as `note`
  (`approvals.reopen`, default head/vp/gm/hq). A dissatisfied revisit sending a resolved case
  back is the closed loop itself (R-CL-1) and stays anyone's.
- R-AS-3: declining an incident — a complaint that reads as one recorded with
  `assessment.incident: none`; its intake entry carries `declined` (the kinds), `role` and
  `reason` (`approvals.decline-incident`, default head/vp/gm/hq).
- R-RT-6 with R-CL-3: a case closed with a preventive action (or with a root cause saying no
  procedure or training covered the matter) keeps one when it is closed again: reopening an
  archived case never drops a finding of the record.

Called by the ledger (rules.ledger) for each new entry it judges.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from complaintctl.i18n import _
from complaintctl.model.case import is_blank
from complaintctl.policy.policy import Policy
from complaintctl.rules.closing import NO_PROCEDURE
from complaintctl.rules.context import CheckContext
from complaintctl.rules.finding import Finding

REOPEN = "reopen"
DECLINE = "decline-incident"


def gated(ctx: CheckContext, where: str, e: Mapping[str, Any], who: str, roles: set[str], authority: Policy,
          key: str, rule: str, reason_field: str, what: str) -> Iterator[Finding]:
    """The decision `key` (an approvals key) taken in entry `e`: by someone holding one of its
    roles, naming that role in `role`, with a reason in `reason_field`."""
    allowed = authority.authority.roles_for(key) or ()
    either = _(" or ").join(allowed)
    if not roles & set(allowed):
        yield ctx.finding(f"{where}.by", rule,
                          _("{person} may not {what}: that needs role {roles} in the policy (approvals.{key})")
                          .format(person=who, what=what, roles=either, key=key))
    else:
        role = str(e.get("role") or "")
        if role not in roles or role not in allowed:
            yield ctx.finding(f"{where}.role", rule,
                              _("{role!r}: the entry records the role {person} decides as (one of {roles})")
                              .format(role=role, person=who, roles=", ".join(sorted(roles & set(allowed)))))
    if is_blank(e.get(reason_field)):
        yield ctx.finding(f"{where}.{reason_field}", rule, _("the reason for this decision is required ({what})")
                          .format(what=what))


def reopen(ctx: CheckContext, state: dict[str, Any], where: str, e: Mapping[str, Any], who: str,
           roles: set[str], before: list[Any], authority: Policy) -> Iterator[Finding]:
    """R-CL-3: a closed case is reopened by `approvals.reopen`, with the role and the reason."""
    if state.get("status") != "closed":
        return  # a resolved case: R-CL-1's closed loop, anyone's
    yield from gated(ctx, where, e, who, roles, authority, REOPEN, "R-CL-3", "note", _("reopen a closed case"))


def decline(ctx: CheckContext, first: Mapping[str, Any], who: str, authority: Policy,
            hits: Sequence[str]) -> Iterator[Finding]:
    """R-AS-3: a complaint that reads as an incident, recorded as none."""
    roles = set(authority.roles_of(who))
    yield from gated(ctx, "timeline[0]", first, who, roles, authority, DECLINE, "R-AS-3", "reason",
                     _("decline an incident"))
    declined = first.get("declined")
    if not isinstance(declined, list) or sorted(str(d) for d in declined) != sorted(hits):
        yield ctx.finding("timeline[0].declined", "R-AS-3",
                          _("the entry lists the incidents declined: {kinds}").format(kinds=", ".join(hits)))


def _needs_prevention(e: Mapping[str, Any]) -> bool:
    return not is_blank(e.get("preventive_action")) or bool(NO_PROCEDURE.search(str(e.get("root_cause") or "")))


def close(ctx: CheckContext, state: dict[str, Any], where: str, e: Mapping[str, Any], who: str,
          roles: set[str], before: list[Any], authority: Policy) -> Iterator[Finding]:
    """R-RT-6, R-CL-3: an earlier closing that called for a preventive action binds every later one."""
    if not is_blank(e.get("preventive_action")):
        return
    for x in before:
        if isinstance(x, Mapping) and x.get("action") == "close" and _needs_prevention(x):
            yield ctx.finding(f"{where}.preventive_action", "R-RT-6",
                              _("closed before at {at} with a preventive action (R-RT-6): closing it again keeps "
                                "one — a reopened case's record is not rewritten (R-CL-3)").format(at=x.get("at")))
            return

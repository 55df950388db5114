"""What each ledger action must satisfy beyond its role (rules.ledger judges who acts): an
assignment's handler (R-RT-2), a plan's limit (R-DL-1, R-DL-2), a resolution's compensation
(R-ES-2), an approval, one escalation level at a time (R-ES-1), a correction and an edit."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from complaintctl.i18n import _
from complaintctl.model import fields as F
from complaintctl.model.case import as_datetime, get, is_blank
from complaintctl.model.snapshot import Case
from complaintctl.policy import clocks
from complaintctl.policy.authority import severity_rank
from complaintctl.policy.calendar import WorkCalendar
from complaintctl.policy.policy import Policy, approvers
from complaintctl.rules import decisions, effects, receipts
from complaintctl.rules.context import CheckContext
from complaintctl.rules.finding import Finding

# The rule a changed field answers to (longest prefix first).
FIELD_RULES = (
    ("status", "R-WF"), ("id", "R-IN-2"), (F.ASSESSMENT_SEVERITY, "R-AS-2"), (F.ASSESSMENT_REPEAT_OF, "R-AS-5"),
    (F.ASSESSMENT_REPEAT, "R-AS-5"),
    (F.ASSESSMENT_INCIDENT, "R-AS-3"), (F.ASSESSMENT_CATEGORY, "R-DEF-3"), (F.ASSESSMENT + ".", "R-AS-1"),
    (F.ACCUSED + ".", "R-RT-3"), (F.ROUTING_ESCALATION_LEVEL, "R-ES-1"), (F.ROUTING_UNIT, "R-RT-1"),
    (F.ROUTING + ".", "R-RT-2"), (F.PLAN_DUE, "R-DL-2"), (F.PLAN + ".", "R-IN-4"),
    (F.RESOLUTION_COMPENSATION, "R-ES-2"),
    (F.RESOLUTION + ".", "R-CL-2"), (F.REVISIT + ".", "R-CL-1"), (F.CLOSING_LATE_REASON, "R-DL-7"),
    (F.CLOSING_PREVENTIVE_ACTION, "R-RT-6"), (F.CLOSING + ".", "R-CL-1"), (F.INTAKE_COMPLAINANT_CLASS, "R-DEF-2"),
    (F.INTAKE_CHANNEL, "R-DEF-4"), (F.INTAKE_FIRST_RECEIVER, "R-IN-2"), (F.INTAKE_RECEIVED_AT, "R-IN-2"),
    (F.INTAKE_RECORDED_AT, "R-IN-2"), (F.INTAKE + ".", "R-IN-1"),
)


def field_rule(field: str) -> str:
    for prefix, rule in FIELD_RULES:
        if field == prefix or (prefix.endswith(".") and field.startswith(prefix)) or field.startswith(prefix + "."):
            return rule
    return "R-WF"


def show(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return "none" if value is None else repr(value)


Roles = set[str]



def _assign(ctx: CheckContext, state: dict[str, Any], where: str, e: Mapping[str, Any], who: str,
            roles: Roles, before: list[Any], authority: Policy) -> Iterator[Finding]:
    handler = str(e.get("handler") or "")
    severity = str(get(state, F.ASSESSMENT_SEVERITY) or "")
    if severity_rank(severity) >= 1:  # R-RT-2: major (and emergency) complaints copied to the heads
        copied = [str(c) for c in (e.get("copied") or [])]
        if not any(set(authority.roles_of(c)) & {"head", "vp", "gm"} for c in copied):
            yield ctx.finding(f"{where}.copied", "R-RT-2",
                              _("a {severity} complaint is dispatched with its responsible heads copied (assign --copy "
                                "HEAD)").format(severity=severity))
    if get(state, F.ASSESSMENT_REPEAT_OF) and handler:  # R-AS-5: repeat complaints → senior staff
        senior = authority.authority.senior_roles
        if not set(authority.roles_of(handler)) & set(senior):
            yield ctx.finding(f"{where}.handler", "R-AS-5",
                              _("a repeat complaint is handled by senior staff ({roles}); {person} is not")
                              .format(roles=_(" or ").join(senior), person=handler))


def _plan(ctx: CheckContext, state: dict[str, Any], where: str, e: Mapping[str, Any], who: str,
          roles: Roles, before: list[Any], authority: Policy) -> Iterator[Finding]:
    cal = WorkCalendar.from_policy(ctx.policy)
    due = clocks.plan_due(e.get("due"), cal)
    received = as_datetime(get(state, F.INTAKE_RECEIVED_AT), ctx.policy.tz)
    if due is None:
        return
    if received is not None and due < received:
        yield ctx.finding(f"{where}.due", "R-DL-2",
                          _("{moment} is before the complaint was received").format(moment=show(due)))
        return
    probe = copy.deepcopy(state)
    probe["timeline"] = before
    # R-DL-1, R-DL-2: the first plan and every replan answer to the same limit (clocks.plan_limit).
    limit = clocks.plan_limit(Case.from_data(probe, cal.tz), ctx.policy, cal)
    raw = e.get("due")
    # A plan that names a day (not a time) is within a limit that ends on that day.
    later = limit is not None and (due.date() > limit.astimezone(cal.tz).date()
                                   if isinstance(raw, date) and not isinstance(raw, datetime) else due > limit)
    if limit is not None and later and not authority.authority.allows(roles, "extend"):
        yield ctx.finding(f"{where}.due", "R-DL-2",
                          _("{due} is later than the resolution limit ({limit}): moving a deadline is an extension, "
                            "approved by {roles} (complaintctl extend)").format(
                              due=show(due), limit=show(limit), roles=_(" or ").join(approvers(authority))))


def _resolve(ctx: CheckContext, state: dict[str, Any], where: str, e: Mapping[str, Any], who: str,
             roles: Roles, before: list[Any], authority: Policy) -> Iterator[Finding]:
    amount = e.get("compensation")
    if not isinstance(amount, int | float) or isinstance(amount, bool) or amount <= 0:
        return
    limit = authority.authority.limit_for(tuple(roles))
    if limit is None or amount <= limit:
        return
    for x in reversed(before):
        if isinstance(x, Mapping) and x.get("action") == "approve" and isinstance(x.get("compensation"), int | float) \
                and x["compensation"] >= amount:
            return
    yield ctx.finding(f"{where}.compensation", "R-ES-2",
                      _("{amount:g} is above {person}'s limit ({limit:g}): someone whose limit covers it "
                        "approves it first (complaintctl approve)").format(amount=amount, person=who, limit=limit))


def _approve(ctx: CheckContext, state: dict[str, Any], where: str, e: Mapping[str, Any], who: str,
             roles: Roles, before: list[Any], authority: Policy) -> Iterator[Finding]:
    amount = e.get("compensation")
    if not isinstance(amount, int | float) or isinstance(amount, bool) or amount < 0:
        yield ctx.finding(f"{where}.compensation", "R-ES-2", _("the approved amount is a number ≥ 0"))
        return
    limit = authority.authority.limit_for(tuple(roles))
    if limit is not None and amount > limit:
        yield ctx.finding(f"{where}.compensation", "R-ES-2", _("{amount:g} is above {person}'s own limit ({limit:g})")
                          .format(amount=amount, person=who, limit=limit))
    if is_blank(e.get("note")):
        yield ctx.finding(f"{where}.note", "R-ES-2", _("the reason for the approval is required"))


def may_escalate(chain: Sequence[str], state: Mapping[str, Any], who: str, roles: Iterable[str]) -> bool:
    """R-ES-1: escalation is raised by the case's handler, or by someone whose role stands above
    the case's current level (a head or above while it is at staff level)."""
    current = str(get(state, F.ROUTING_ESCALATION_LEVEL) or chain[0])
    i = chain.index(current) if current in chain else 0
    rank = max((chain.index(r) for r in roles if r in chain), default=-1)
    return who == get(state, F.ROUTING_HANDLER) or rank >= max(1, i)


def _escalate(ctx: CheckContext, state: dict[str, Any], where: str, e: Mapping[str, Any], who: str,
              roles: Roles, before: list[Any], authority: Policy) -> Iterator[Finding]:
    chain = ctx.policy.escalation_chain
    current = str(get(state, F.ROUTING_ESCALATION_LEVEL) or chain[0])
    level = e.get("level")
    i = chain.index(current) if current in chain else 0
    if level in chain and chain.index(str(level)) != i + 1:
        nxt = chain[i + 1] if i + 1 < len(chain) else _("none (top)")
        yield ctx.finding(f"{where}.level", "R-ES-1",
                          _("one level at a time: from {current} the next is {next}, not {level}")
                          .format(current=current, next=nxt, level=level))
    if not may_escalate(chain, state, who, roles):
        yield ctx.finding(f"{where}.by", "R-ES-1",
                          _("{person} is neither the handler nor above the case's level ({level}): escalation is by "
                            "the handler or someone above").format(person=who, level=current))


def _correct(ctx: CheckContext, state: dict[str, Any], where: str, e: Mapping[str, Any], who: str,
             roles: Roles, before: list[Any], authority: Policy) -> Iterator[Finding]:
    field = str(e.get("field") or "")
    if field not in effects.CORRECTABLE:
        yield ctx.finding(f"{where}.field", "R-WF", _("{field!r} cannot be corrected (correctable: {fields})")
                          .format(field=field, fields=", ".join(effects.CORRECTABLE)))
        return
    rule = field_rule(field)
    if is_blank(e.get("note")):
        yield ctx.finding(f"{where}.note", rule, _("a correction records its reason"))
    key = effects.CORRECTABLE[field]
    if field == F.ASSESSMENT_SEVERITY and \
            severity_rank(str(e.get("value"))) < severity_rank(str(get(state, field))):
        key = "lower-severity"  # R-AS-2: lowering severity by a head or above
    allowed = authority.authority.roles_for(key) or ()
    if allowed and not roles & set(allowed):
        yield ctx.finding(f"{where}.by", rule,
                          _("{person} may not correct {field}: that needs role {roles} (approvals.{key})")
                          .format(person=who, field=field, roles=_(" or ").join(allowed), key=key))
    if field in effects.AT_FIELDS:
        yield from _correct_receipt(ctx, state, where, e, before, rule)


def _correct_receipt(ctx: CheckContext, state: dict[str, Any], where: str, e: Mapping[str, Any],
                     before: list[Any], rule: str) -> Iterator[Finding]:
    """A receipt correction keeps the value it replaces, and moves no due that had passed at the
    correction's `now` (rules.receipts): the clocks run from the receipt first recorded."""
    tz = ctx.policy.tz
    was = as_datetime(get(state, F.INTAKE_RECEIVED_AT), tz)
    if as_datetime(e.get("old"), tz) != was:
        yield ctx.finding(f"{where}.old", rule, _("a correction keeps the value it replaces ({was}), not {old}")
                          .format(was=show(was), old=show(e.get("old"))))
        return
    cal = WorkCalendar.from_policy(ctx.policy)
    probe = copy.deepcopy(state)
    probe["timeline"] = before
    after = copy.deepcopy(probe)
    effects.apply_entry(after, e, ctx.policy)
    for m in receipts.moved_dues(Case.from_data(probe, tz), Case.from_data(after, tz), ctx.policy, cal, ctx.now):
        yield ctx.finding(f"{where}.value", rule,
                          _("the {name} due {was}, computed from the receipt as recorded, had passed at {now}: a "
                            "receipt is corrected only before any due it moves has passed (it would be {then})")
                          .format(name=m.name, was=show(m.was), now=show(ctx.now.astimezone(tz)),
                                  then=show(m.would_be)))
        return


def _edit(ctx: CheckContext, state: dict[str, Any], where: str, e: Mapping[str, Any], who: str,
          roles: Roles, before: list[Any], authority: Policy) -> Iterator[Finding]:
    for field in e.get("fields") or []:
        if str(field) not in effects.FREE_TEXT:
            yield ctx.finding(str(field), field_rule(str(field)),
                              _("a field rules depend on: `edit` corrects free text only — use its own step or "
                                "`complaintctl correct` (docs/authority.md)"))


def _vouch(ctx: CheckContext, state: dict[str, Any], where: str, e: Mapping[str, Any], who: str,
           roles: Roles, before: list[Any], authority: Policy) -> Iterator[Finding]:
    """A vouch gives its reason and names an earlier entry by its claim (at, by, action)."""
    if is_blank(e.get("reason")):
        yield ctx.finding(f"{where}.reason", "R-IN-1", _("a vouch for a late-recorded entry gives its reason"))
    of = e.get("of")
    tz = ctx.policy.tz
    if not isinstance(of, Mapping) or not any(
            isinstance(b, Mapping) and str(b.get("by")) == str(of.get("by"))
            and str(b.get("action")) == str(of.get("action"))
            and as_datetime(b.get("at"), tz) == as_datetime(of.get("at"), tz) for b in before):
        yield ctx.finding(f"{where}.of", "R-IN-1", _("a vouch names an earlier entry of this case (at, by, action)"))


ACTION_CHECKS = {
    "assign": _assign, "reassign": _assign, "plan": _plan, "replan": _plan, "resolve": _resolve,
    "approve": _approve, "escalate": _escalate, "correct": _correct, "edit": _edit,
    "reopen": decisions.reopen, "close": decisions.close, "vouch-late": _vouch,
}

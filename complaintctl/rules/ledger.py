"""The ledger: every change to a case is explained by the timeline entries the same
change appends, each by the person who commits it and within their authority.

The new entries are replayed over the previous version of the case through the very effect
functions the CLI's steps use (rules.effects); any field that then differs from what is
committed is refused, naming the field and its rule. Each entry is judged before it is
applied: its `by` is the commit's author, that person is in the policy, the accused takes no
action (R-RT-3), the action's roles (`approvals`), and the rules of that action — R-AS-1
invalid, R-RT-2 heads copied, R-AS-5 senior staff, R-DL-2 plan/extension, R-ES-1 one level
at a time, R-ES-2 compensation limits, corrections, the system account, the offline window,
and the decisions that set a rule aside (rules.decisions: R-CL-3 reopening a closed case,
R-AS-3 declining an incident, R-RT-6 a re-closing keeping its preventive action).
Authority comes from the policy in force before the change (`Commit.authority`).
A merge (`CheckContext.merge`) whose timeline put entries between earlier ones is replayed
whole, from intake, in its merged order; only its untraced entries are judged.
Cost: the new entries only (plus the clocks for the few steps that read them).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from complaintctl import labels
from complaintctl.i18n import _
from complaintctl.model import fields as F
from complaintctl.model.case import as_datetime, get, is_blank
from complaintctl.policy.authority import SYSTEM, matching_incidents, severity_rank
from complaintctl.policy.calendar import WorkCalendar
from complaintctl.policy.policy import Policy
from complaintctl.rules import decisions, effects, notices, recusal, transitions, union
from complaintctl.rules import due as rules_due
from complaintctl.rules.context import CheckContext
from complaintctl.rules.finding import Finding
from complaintctl.rules.ledger_actions import ACTION_CHECKS, field_rule
from complaintctl.rules.ledger_actions import show as _show

ACTION_RULES = {
    "invalid": "R-AS-1", "extend": "R-DL-2", "assign": "R-RT-2", "reassign": "R-RT-2", "plan": "R-IN-4",
    "replan": "R-IN-4", "resolve": "R-CL-2", "revisit": "R-CL-1", "close": "R-CL-1", "reopen": "R-CL-1",
    "escalate": "R-ES-1", "approve": "R-ES-2", "upgrade": "R-DL-6", "remind": "R-DL-7", "report": "R-DL-5",
    "notify": "R-RT-2", "vouch-late": "R-IN-1",
}
UNEXPLAINED = ("timeline", "clocks")  # the log itself, and derived data (rules.deadlines checks it)
UPGRADED_WITH = frozenset({"resolve", "close"})  # R-DL-6: steps that record a late case's upgrade first


def _entries(data: Mapping[str, Any]) -> list[Any]:
    t = data.get("timeline")
    return list(t) if isinstance(t, list) else []


def check(ctx: CheckContext) -> Iterator[Finding]:
    if not ctx.ledger or ctx.commit is None:
        return
    authority = ctx.commit.authority
    since = authority.authority.ledger_since
    assert since is not None
    entries = _entries(ctx.data)
    old = _entries(ctx.previous) if ctx.previous is not None else []
    appended = ctx.previous is not None and entries[: len(old)] == old
    # A merge may have put entries from other lines between the earlier ones (rules.union).
    kept = range(len(old)) if appended or ctx.previous is None else \
        union.subsequence(old, entries) if ctx.merge else None
    if kept is None or not entries:
        return  # rules.transitions refuses a rewritten timeline; nothing to replay
    before = set(kept) if ctx.previous is not None else {0}
    new = [(i, e) for i, e in enumerate(entries) if i not in before and isinstance(e, Mapping)]
    traced = ctx.commit.traced  # a merge's entries from its parents: judged where they were made
    tz = ctx.policy.tz
    yield from _window(ctx, [(i, e) for i, e in new if i not in traced], since)
    # Entries dated before the ledger started were made under the old rules (an office that
    # was offline): the change is judged as before (the offline window above still applies).
    if any((as_datetime(e.get("at"), tz) or since) < since for _i, e in new):
        return
    if appended:  # the new entries, replayed over the previous version
        state = copy.deepcopy(dict(ctx.previous or {}))
        replay = new
    else:  # a new case, or a merge's interleaved timeline: the whole timeline, replayed from intake
        if ctx.previous is not None and any((as_datetime(e.get("at"), tz) or since) < since
                                            for e in entries if isinstance(e, Mapping)):
            return  # its earlier entries were made under the old rules: nothing to replay them by
        state = effects.intake_base(ctx.data, ctx.policy)
        if ctx.previous is None and 0 not in traced:
            yield from _intake(ctx, entries[0] if isinstance(entries[0], Mapping) else {}, authority)
        replay = [(i, e) for i, e in enumerate(entries) if i > 0 and isinstance(e, Mapping)]
    judged = {i for i, _e in new} - traced
    for i, e in replay:
        if i in judged:
            yield from _judge(ctx, state, i, e, entries, authority)
        effects.apply_entry(state, e, ctx.policy, final=ctx.data)
    # rules.transitions already refuses the intake facts fixed after intake (R-IN-2), unless corrected.
    corrected = {str(e.get("field")) for _i, e in new if e.get("action") == "correct"}
    skip = frozenset(UNEXPLAINED) | (frozenset(transitions.FIXED_FIELDS) - corrected)
    for field in effects.differences(state, ctx.data, skip=skip):
        was, now = get(state, field), get(ctx.data, field)
        yield ctx.finding(field, field_rule(field),
                          _("changed ({before} → {after}) with no new timeline entry that explains it: every change "
                            "is a step of the ledger (see docs/authority.md)")
                          .format(before=_show(was), after=_show(now)))


def _not_person() -> str:  # looked up only when a finding is made
    return _("{person} is not one of the policy's people: only people the policy names act on cases "
             "(the admin adds them: `complaintctl people add NAME --email … --unit … --role …`)")


def _who(ctx: CheckContext, e: Mapping[str, Any], authority: Policy) -> str:
    actor = ctx.commit.actor if ctx.commit else None
    if actor is None:
        return str(e.get("by") or "")
    return authority.canonical_name(actor.name, actor.email)


def _window(ctx: CheckContext, new: list[tuple[int, Mapping[str, Any]]], since: datetime) -> Iterator[Finding]:
    """Time is trustworthy: a new entry older than the offline window (at push time) needs an
    approver's late_reason; the future is refused by rules.dates."""
    assert ctx.commit is not None
    authority = ctx.commit.authority
    window = authority.authority.offline_window
    for i, e in new:
        at = as_datetime(e.get("at"), ctx.policy.tz)
        if at is None or at >= ctx.now - window:
            continue
        who = _who(ctx, e, authority)
        allowed = authority.authority.roles_for("late") or ()
        if is_blank(e.get("late_reason")):
            yield ctx.finding(f"timeline[{i}].at", "R-IN-1",
                              _("{moment} is older than the offline window ({window}) at {now}: a late entry is "
                                "recorded by {roles} with a late_reason").format(
                                  moment=at.isoformat(sep=" "), window=_hours(window),
                                  now=ctx.now.isoformat(sep=" ", timespec="minutes"), roles=_(" or ").join(allowed)))
        elif not set(authority.roles_of(who)) & set(allowed):
            yield ctx.finding(f"timeline[{i}].late_reason", "R-IN-1",
                              _("{person} may not record a late entry: that needs role {roles}")
                              .format(person=who, roles=_(" or ").join(allowed)))


def _hours(window: Any) -> str:
    return f"{window.total_seconds() / 3600:g}h"


def _intake(ctx: CheckContext, first: Mapping[str, Any], authority: Policy) -> Iterator[Finding]:
    """A new case: recorded by its committer; R-AS-3 incidents proposed at intake."""
    who = _who(ctx, first, authority)
    if ctx.commit and ctx.commit.actor and str(first.get("by") or "") != who:
        yield _not_actor(ctx, 0, first, who)
    if authority.person(who) is None:
        yield ctx.finding("timeline[0].by", "R-WF", _not_person().format(person=who))
    elif SYSTEM in authority.roles_of(who):
        yield ctx.finding("timeline[0].action", "R-WF",
                          _("{person} is the system account: it records only what the clocks make due, never a new "
                            "complaint").format(person=who))
    incidents = authority.authority.incidents
    kind = get(ctx.data, F.ASSESSMENT_INCIDENT)
    hits = matching_incidents(incidents, str(get(ctx.data, F.INTAKE_SUBJECT) or ""),
                              str(get(ctx.data, F.INTAKE_DETAILS) or ""))
    if is_blank(kind):
        if hits:
            yield ctx.finding(F.ASSESSMENT_INCIDENT, "R-AS-3",
                              _("the complaint reads as an incident ({incidents}): record it (new --incident {first}) "
                                "or "
                                "decline it (new --no-incident)").format(incidents=", ".join(h.key for h in hits),
                                                                         first=hits[0].key))
        return
    if kind == "none":
        if hits:  # R-AS-3: declining an incident is a decision, with its role and reason
            yield from decisions.decline(ctx, first, who, authority, [h.key for h in hits])
        return
    incident = incidents.get(str(kind))
    if incident is None:
        yield ctx.finding(F.ASSESSMENT_INCIDENT, "R-AS-3",
                          _("{kind!r} is not one of the policy's incidents ({incidents}, or none)")
                          .format(kind=kind, incidents=", ".join(incidents) or _("none")))
    elif severity_rank(str(get(ctx.data, F.ASSESSMENT_SEVERITY))) < severity_rank(incident.severity):
        yield ctx.finding(F.ASSESSMENT_SEVERITY, "R-AS-3", _("a {kind} incident is at least {severity}")
                          .format(kind=kind, severity=incident.severity))


def _not_actor(ctx: CheckContext, i: int, e: Mapping[str, Any], who: str) -> Finding:
    actor = ctx.commit.actor if ctx.commit else None
    email = f" <{actor.email}>" if actor and actor.email else ""
    return ctx.finding(f"timeline[{i}].by", "R-WF",
                       _("says {by!r} but the commit is by {person}{email}: every entry is recorded by the person "
                         "who commits it").format(by=e.get("by"), person=who, email=email))


def _judge(ctx: CheckContext, state: dict[str, Any], i: int, e: Mapping[str, Any], entries: list[Any],
           authority: Policy) -> Iterator[Finding]:
    where = f"timeline[{i}]"
    action = str(e.get("action") or "")
    who = _who(ctx, e, authority)
    roles = set(authority.roles_of(who))
    if ctx.commit and ctx.commit.actor and str(e.get("by") or "") != who:
        yield _not_actor(ctx, i, e, who)
    if authority.person(who) is None:
        yield ctx.finding(f"{where}.by", "R-WF", _not_person().format(person=who))
    if recusal.is_accused(state, who):
        yield ctx.finding(f"{where}.by", "R-RT-3",
                          _("{person} is the person complained about and may take no action on this case ({action})")
                          .format(person=who, action=labels.action_word(action)))
    if action == notices.NOTIFY:
        yield from _notice(ctx, state, i, e, who, roles, authority)
        return
    if action in rules_due.SWEEP_ACTIONS and _due_by_clocks(ctx, state, e):
        return  # what the clocks make due: anyone (and the system account) may record it
    if SYSTEM in roles:
        yield ctx.finding(f"{where}.action", "R-WF",
                          _("{person} is the system account: it records only what the clocks make due at {at} (an "
                            "upgrade, a reminder, one escalation level)").format(person=who, at=e.get("at")))
        return
    if action in ("upgrade", "remind"):
        yield ctx.finding(f"{where}.action", ACTION_RULES[action],
                          _("nothing makes this {action} due at {at}: it records only what the clocks say "
                            "(complaintctl sweep)").format(action=action, at=e.get("at")))
        return
    if action in UPGRADED_WITH and (up := _upgrade_missing(ctx, state, i, e)) is not None:
        yield ctx.finding(f"{where}.action", "R-DL-6",
                          _("the {action} comes after the limit ({missed}): a general complaint past its limit "
                            "becomes major, recorded in the same change before it (an upgrade entry, as the CLI "
                            "writes it)").format(action=labels.action_word(action), missed=_show(up.extra["missed"])
                                                 if "missed" in up.extra else "-"))
    allowed = authority.authority.roles_for(action)
    # `correct` and `reopen` name their roles per case (rules.decisions: only a closed case's reopening is gated)
    if allowed is not None and action not in ("correct", "reopen") and not authority.authority.allows(roles, action):
        yield ctx.finding(f"{where}.by", ACTION_RULES.get(action, "R-WF"),
                          _("{person} may not {action}: that needs role {roles} in the policy (approvals.{action})")
                          .format(person=who, action=action, roles=_(" or ").join(allowed)))
    check = ACTION_CHECKS.get(action)
    if check is not None:
        yield from check(ctx, state, where, e, who, roles, entries[:i], authority)


def _upgrade_missing(ctx: CheckContext, state: dict[str, Any], i: int, e: Mapping[str, Any]) -> rules_due.Due | None:
    """R-DL-6: the upgrade the clocks make due when this resolution or closing is recorded —
    then it must already be in the timeline, whether or not a sweep ran."""
    at = as_datetime(e.get("at"), ctx.policy.tz)
    if at is None:
        return None
    probe = copy.deepcopy(state)
    probe["timeline"] = list(_entries(ctx.data)[:i])
    effects.refresh_clocks(probe, ctx.policy)
    return rules_due.upgrade_due(probe, ctx.policy, WorkCalendar.from_policy(ctx.policy), at)


def _due_by_clocks(ctx: CheckContext, state: dict[str, Any], e: Mapping[str, Any]) -> bool:
    at = as_datetime(e.get("at"), ctx.policy.tz)
    if at is None:
        return False
    probe = copy.deepcopy(state)
    probe["timeline"] = list(_entries(ctx.data)[: _index_of(ctx, e)])
    effects.refresh_clocks(probe, ctx.policy)
    due = rules_due.next_due(probe, ctx.policy, WorkCalendar.from_policy(ctx.policy), at)
    return rules_due.matches(e, due, ctx.policy.tz)


def _notice(ctx: CheckContext, state: dict[str, Any], i: int, e: Mapping[str, Any], who: str, roles: set[str],
            authority: Policy) -> Iterator[Finding]:
    """a notice is recorded by the system account (`complaintctl notify` runs as it), only
    when it was due at the entry's `at`, naming only people still to be told (rules.notices)."""
    where = f"timeline[{i}]"
    kind = str(e.get("notice") or "")
    rule = notices.KINDS.get(kind, "R-WF")
    if SYSTEM not in roles:
        yield ctx.finding(f"{where}.by", rule,
                          _("{person} is not the system account: a notice is recorded only by the account "
                            "`complaintctl notify` runs as (role system), for what it sent").format(person=who))
        return
    at = as_datetime(e.get("at"), ctx.policy.tz)
    if at is None:
        return  # rules.transitions names the missing time
    probe = copy.deepcopy(state)
    probe["timeline"] = list(_entries(ctx.data)[:i])
    effects.refresh_clocks(probe, ctx.policy)
    found, due = rules_due.notice_due(e, probe, authority, at)
    if found is None:
        names = ", ".join(str(r) for r in e.get("recipients") or []) or _("nobody")
        also = [f"{n.kind} timeline[{n.ref}] → {', '.join(n.recipients)}" for n in due]
        yield ctx.finding(f"{where}.notice", rule,
                          _("no {kind} notice to {recipients} answering timeline[{ref}] is due at {at}: a notice "
                            "records only what complaintctl notify sent when it was due (due then: {due})").format(
                              kind=kind or _("(no kind)"), recipients=names, ref=e.get("ref"), at=at.isoformat(sep=" "),
                              due="; ".join(also) or _("none")))


def _index_of(ctx: CheckContext, e: Mapping[str, Any]) -> int:
    for i, x in enumerate(_entries(ctx.data)):
        if x is e:
            return i
    return len(_entries(ctx.data))



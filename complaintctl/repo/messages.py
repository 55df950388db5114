"""Commit messages — the one place that words them.

The subject is the office's register (`git log`, `history`): in the office's language, with
labels, not keys (`SZ-2611-0001: 已受理 → 已派单 — 处理人 钱师傅`). The trailers keep the machine
keys (`Case:`, `Transition: received → assigned`, `Action: assign`), and whatever reads history —
`repo.git.history`, `report`'s work per person, the read index, the server, `sync` — parses the
trailers, never the subject, so it reads an office in either language (docs/i18n.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from complaintctl import labels
from complaintctl.i18n import N_, _p, translations
from complaintctl.model import fields as F
from complaintctl.policy.policy import Policy
from complaintctl.policy.vocabularies import CORRECTED_BY_KEY

DETAIL_WIDTH = 60  # characters of free text a subject keeps


@dataclass(frozen=True)
class Said:
    """What a step did, in keys and names (`handler`, {"name": "钱师傅"}); worded only when its
    commit message is written, in the office's language."""

    kind: str
    values: Mapping[str, Any] = field(default_factory=dict)
    keys: str = ""  # the same in keys, where a command prints it for scripts (`sweep --json`)


def said(kind: str, **values: Any) -> Said:
    return Said(kind, values)


_DETAILS = {
    "handler": N_("handler {name}"),
    "satisfaction": N_("satisfaction {satisfaction}"),
    "reopened": N_("closed case reopened as {role}: {reason}"),
    "invalid": N_("invalid: {reason}"),
    "correct": N_("{field}: {old} → {value} ({reason})"),
    "vouch": N_("{action} at {at} ({reason})"),
    "approve": N_("compensation up to {amount} ({reason})"),
    "extend": N_("{clock} until {until}"),
    "filed": N_("{clock} filed"),
    "remind": N_("{clock} overdue"),
    "declined": N_("incident declined ({incidents}): {reason} · {subject}"),
    "edit": N_("hand edit: {fields}"),
}

# The fields a step names in its subject (`correct`, a hand `edit`)
FIELDS: dict[str, tuple[str, str]] = {
    F.ASSESSMENT_CATEGORY: _p("field", "category"),
    F.ASSESSMENT_SEVERITY: _p("field", "severity"),
    F.ASSESSMENT_REPEAT_OF: _p("field", "repeat of"),
    F.INTAKE_COMPLAINANT_CLASS: _p("field", "complainant class"),
    F.INTAKE_CHANNEL: _p("field", "channel"),
    F.INTAKE_RECEIVED_AT: _p("field", "received at"),
    F.INTAKE_FIRST_RECEIVER: _p("field", "first receiver"),
    F.INTAKE_SUBJECT: _p("field", "subject"),
    F.INTAKE_LOCATION: _p("field", "location"),
    F.INTAKE_COMPLAINANT_NAME: _p("field", "complainant's name"),
    F.INTAKE_COMPLAINANT_CONTACT: _p("field", "complainant's contact"),
    F.INTAKE_COMPLAINANT_ADDRESS: _p("field", "complainant's address"),
    F.ROUTING_HANDLER: _p("field", "handler"),
    F.ROUTING_UNIT: _p("field", "responsible unit"),
    F.PLAN_RESOLVER: _p("field", "resolver"),
    F.PLAN_DUE: _p("field", "plan due"),
    F.INTAKE_DETAILS: _p("field", "details"),
    F.ACCUSED_PERSON: _p("field", "accused person"),
    F.ACCUSED_UNIT: _p("field", "accused unit"),
    F.PLAN_MEASURES: _p("field", "measures"),
    F.RESOLUTION_SUMMARY: _p("field", "resolution summary"),
    F.CLOSING_ROOT_CAUSE: _p("field", "root cause"),
    F.CLOSING_LESSON: _p("field", "lesson"),
    F.CLOSING_PREVENTIVE_ACTION: _p("field", "preventive action"),
    "timeline": _p("field", "timeline"),
    # a person's fields in the policy (`people set`) and a unit's labels (`units set`)
    "email": _p("field", "e-mail"),
    "unit": _p("field", "unit"),
    "roles": _p("field", "roles"),
    "office": _p("field", "office"),
    "login": _p("field", "login"),
    "mobile": _p("field", "mobile"),
    "key": _p("field", "key"),
    "zh": _p("field", "Chinese label"),
    "en": _p("field", "English label"),
}

# Actions a subject names that are not timeline actions (labels.ACTIONS has those)
_OTHER_ACTIONS: dict[str, tuple[str, str]] = {
    "new": _p("action", "received"),
    "erase": _p("action", "erase"),
    "import": _p("action", "import"),
    "sweep": _p("action", "sweep"),
    "notify": _p("action", "notify"),
}


class Words:
    """One office's words for its commit messages (the policy's language and vocabularies)."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.language = policy.language
        self._t = translations(policy.language)

    def __call__(self, msgid: str) -> str:
        return self._t.gettext(msgid)

    def of(self, table: Mapping[str, tuple[str, str]], key: str) -> str:
        pair = table.get(key)
        return key if pair is None else self._t.pgettext(*pair)

    def status(self, key: str) -> str:
        return self.of(labels.STATUSES, key)

    def action(self, key: str) -> str:
        return self.of(labels.ACTIONS, key) if key in labels.ACTIONS else self.of(_OTHER_ACTIONS, key)

    def role(self, key: str) -> str:
        return self.of(labels.ROLES, key)

    def field(self, path: str) -> str:
        return self.of(FIELDS, path)

    def incident(self, key: str) -> str:
        """R-AS-3: an incident kind by the policy's name for it."""
        found = self.policy.authority.incidents.get(key)
        return found.text(self.language) if found else key

    def clock(self, name: str) -> str:
        return labels.label(self.language, name)

    def value(self, path: str, value: Any) -> str:
        """A field's value as the office reads it: a vocabulary's label, else the value."""
        vocabulary = CORRECTED_BY_KEY.get(path)
        if vocabulary is not None and value is not None:
            return self.policy.label(vocabulary, str(value))
        if isinstance(value, list):
            return self.list(str(v) for v in value) or "-"
        if path == F.INTAKE_RECEIVED_AT and value:  # a moment, as the office reads moments
            try:
                return self.when(value if isinstance(value, datetime) else datetime.fromisoformat(str(value)))
            except ValueError:
                pass
        return "-" if value in (None, "") else str(value)

    def list(self, items: Iterable[str]) -> str:
        return ("、" if self.language == "zh" else ", ").join(items)

    def aside(self, text: str, note: str) -> str:
        """`text (note)`; in Chinese with full-width brackets."""
        return self(N_("{text} ({note})")).format(text=text, note=note)

    def when(self, moment: datetime) -> str:
        return f"{moment:%Y-%m-%d %H:%M}"


def compose(subject: str, trailers: Sequence[tuple[str, str]], body: Sequence[str] = ()) -> str:
    """The message: subject, an optional body, then the trailers (`Key: value`, machine keys)."""
    parts = [subject, "", *body, *([""] if body else []), *(f"{k}: {v}" for k, v in trailers)]
    return "\n".join(parts) + "\n"


def _short(text: str) -> str:
    first = " ".join(text.split())
    return first[:DETAIL_WIDTH] + ("…" if len(first) > DETAIL_WIDTH else "")


def detail_text(w: Words, detail: str | Said) -> str:
    """A step's detail in the office's words."""
    if isinstance(detail, str):
        return detail
    v = dict(detail.values)
    kind = detail.kind
    if kind == "satisfaction":
        v["satisfaction"] = w.of(labels.SATISFACTION, str(v["satisfaction"]))
    elif kind == "reopened":
        v["role"] = w.role(str(v.get("role") or "")) if v.get("role") else "-"
    elif kind == "invalid":
        v["reason"] = w.of(labels.INVALID_REASONS, str(v["reason"]))
    elif kind == "correct":
        path = str(v["field"])
        v.update(field=w.field(path), old=w.value(path, v.get("old")), value=w.value(path, v.get("value")))
    elif kind == "vouch":
        v["action"] = w.action(str(v["action"]))
    elif kind == "approve":
        v["amount"] = f"{float(v['amount']):g}"
    elif kind in ("extend", "filed", "remind"):
        v["clock"] = w.clock(str(v["clock"]))
        if isinstance(v.get("until"), datetime):
            v["until"] = w.when(v["until"])
    elif kind == "declined":
        v["incidents"] = w.list(w.incident(str(i)) for i in v["incidents"])
    elif kind == "edit":
        v["fields"] = w.list(w.field(str(f)) for f in v["fields"]) if v["fields"] else w.field("timeline")
    elif kind == "escalate":
        return f"{w.role(str(v['current']))} → {w.role(str(v['target']))}"
    elif kind == "upgrade":
        names = w.policy.labels("severities")
        return f"{names.get(str(v['old']), v['old'])} → {names.get(str(v['new']), v['new'])}"
    return w(_DETAILS[kind]).format(**v)


def step_said(action: str, detail: str) -> Said | str:
    """A step `sweep` takes, as rules.due describes it (`upgrade general → major`, `remind
    resolution overdue`, `escalate staff → head`: keys, for `sweep --json`), as a Said."""
    if action in ("upgrade", "escalate") and " → " in detail:
        old, new = detail.split(" → ", 1)
        values = {"old": old, "new": new} if action == "upgrade" else {"current": old, "target": new}
        return Said(action, values, detail)
    if action == "remind" and detail.endswith(" overdue"):
        return Said("remind", {"clock": detail.removesuffix(" overdue")}, detail)
    return detail


def keys_of(detail: str | Said) -> str:
    return detail if isinstance(detail, str) else detail.keys


def sweep_action(w: Words, action: str) -> str:
    """One of sweep's steps (`upgrade general → major`) in the office's words: 升级为重大 一般 → 重大."""
    verb, _sep, detail = action.partition(" ")
    return f"{w.action(verb)} {detail_text(w, step_said(verb, detail))}".strip()


def case_step(policy: Policy, case_id: str, action: str, src: str | None, dst: str, detail: str | Said,
              upgraded: str = "") -> str:
    """A step on one case: `{case}: {from} → {to} — {detail}` when it moves the case, else
    `{case}: {action} — {detail}`; trailers Case, Transition (keys), Action."""
    w = Words(policy)
    moved = src != dst
    if src is None:
        subject = f"{case_id}: {w.status('received')}"
    elif moved:
        subject = f"{case_id}: {w.status(src)} → {w.status(dst)}"
    else:
        subject = f"{case_id}: {w.action(action)}"
    text = detail_text(w, detail)
    if upgraded:
        text = w.aside(text, upgraded) if text else upgraded
    if text:
        subject += f" — {_short(text)}"
    trailers = [("Case", case_id)]
    if moved:
        trailers.append(("Transition", f"{src or 'new'} → {dst}"))
    trailers.append(("Action", action))
    return compose(subject, trailers)


def imported(policy: Policy, source: str, ids: Sequence[str]) -> str:
    """Several complaints recorded in one commit (one per imported file)."""
    span = ids[0] + (f" … {ids[-1]}" if len(ids) > 1 else "")
    subject = Words(policy)(N_("import {file}: {n} case(s) — {ids}")).format(file=source, n=len(ids), ids=span)
    return compose(subject, [*(("Case", i) for i in ids), ("Transition", "new → received"), ("Action", "import")])


def sweep(policy: Policy, now: datetime, changes: Sequence[tuple[str, Sequence[str]]]) -> str:
    """sweep's one commit: (case, its steps as keys) per case changed."""
    w = Words(policy)
    counts: dict[str, int] = {}
    for _case, actions in changes:
        for a in actions:
            verb = a.split(" ", 1)[0]
            counts[verb] = counts.get(verb, 0) + 1
    what = w.list(w(N_("{n} {action}")).format(n=n, action=w.action(verb)) for verb, n in sorted(counts.items()))
    subject = w(N_("sweep {when}: {n} case(s) — {what}")).format(when=w.when(now), n=len(changes), what=what)
    body = [f"{case}: {'; '.join(sweep_action(w, a) for a in actions)}" for case, actions in changes]
    return compose(subject, [*(("Case", c) for c, _a in changes), ("Action", "sweep")], body)


def notified(policy: Policy, now: datetime, sent: Sequence[tuple[str, str, str]]) -> str:
    """notify's one commit: (case, notice kind, recipient) per message sent."""
    w = Words(policy)
    cases = sorted({c for c, _k, _r in sent})
    subject = w(N_("notify {when}: {n} message(s) on {cases} case(s)")).format(when=w.when(now), n=len(sent),
                                                                               cases=len(cases))
    body = [f"{case}: {notice_word(w, kind)} → {who}" for case, kind, who in sent]
    return compose(subject, [*(("Case", c) for c in cases), ("Action", "notify")], body)


def notice_word(w: Words, kind: str) -> str:
    return w.of(labels.NOTICES, kind)


def bulletin(policy: Policy, period: str) -> str:
    subject = Words(policy)(N_("bulletin {period}")).format(period=period)
    return compose(subject, [("Bulletin", period), ("Action", "bulletin")])


def keys(policy: Policy, office: str, what: str, epoch: int, recipients: int, trailers: Sequence[tuple[str, str]]
         ) -> str:
    """An office key change (`init`, `rewrap`, `rotate`, docs/design/encrypted-fields.md)."""
    w = Words(policy)
    subject = (w(N_("keys {office}: re-wrapped for {n} recipients")).format(office=office, n=recipients)
               if what == "rewrap" else w(N_("keys {office}: epoch {epoch}")).format(office=office, epoch=epoch))
    return compose(subject, [("Keys", what), ("Office", office), *trailers])


def init_office(policy: Policy, office: str, preset: str) -> str:
    subject = Words(policy)(N_("init office {office} (preset {preset})")).format(office=office, preset=preset)
    return compose(subject, [("Preset", preset), ("Office", office)])


def sync_merge(policy: Policy, upstream: str, renumbered: Sequence[tuple[str, str]], merged: Sequence[str]) -> str:
    w = Words(policy)
    what = [f"{old} → {new}" for old, new in renumbered]
    what += [w(N_("{case} merged case by case")).format(case=c) for c in merged]
    subject = w(N_("sync: merge {upstream}")).format(upstream=upstream)
    if what:
        subject = w.aside(subject, "; ".join(what))
    return compose(subject, [("Action", "sync")])


def renumber(policy: Policy, old: str, new: str, action: str, references: Sequence[str]) -> str:
    w = Words(policy)
    subject = w(N_("renumber {old} → {new}")).format(old=old, new=new)
    body = [w(N_("{old} was given to another case on the remote while this clone was offline; this "
                 "office's case keeps all its content under the next free number.")).format(old=old)]
    return compose(subject, [("Case", new), ("Action", action), ("Renumbered-From", old), ("Renumbered-To", new),
                             *(("Reference-Updated", r) for r in references)], body)


def sample_day(policy: Policy, action: str, name: str, day: str, ids: Sequence[str]) -> str:
    """The sample's history: one person's steps of one kind on one day."""
    w = Words(policy)
    subject = w(N_("{action}: {n} case(s) by {name} on {day}")).format(action=w.action(action), n=len(ids),
                                                                      name=name, day=day)
    return compose(subject, [*(("Case", c) for c in ids), ("Action", action)])


def people_added(policy: Policy, name: str, unit: str, roles: Sequence[str]) -> str:
    w = Words(policy)
    subject = w(N_("people: add {name} ({unit}; {roles})")).format(
        name=name, unit=policy.label("units", unit), roles=w.list(w.role(r) for r in roles))
    return compose(subject, [("Policy", "people add"), ("Person", name), ("Roles", ", ".join(roles))])


def people_set(policy: Policy, name: str, changed: Sequence[str]) -> str:
    w = Words(policy)
    subject = w(N_("people: {name}: {fields} changed")).format(name=name, fields=w.list(w.field(f) for f in changed))
    return compose(subject, [("Policy", "people set"), ("Person", name), ("Fields", ", ".join(changed))])


def people_removed(policy: Policy, name: str, left: Sequence[str]) -> str:
    w = Words(policy)
    body = [w(N_("Still handling, to reassign: {cases}")).format(cases=", ".join(left))] if left else []
    return compose(w(N_("people: remove {name}")).format(name=name),
                   [("Policy", "people remove"), ("Person", name)], body)


def unit_added(policy: Policy, key: str, label: str) -> str:
    subject = Words(policy)(N_("units: add {key} ({label})")).format(key=key, label=label)
    return compose(subject, [("Policy", "units add"), ("Unit", key)])


def unit_set(policy: Policy, key: str, changed: Sequence[str]) -> str:
    w = Words(policy)
    subject = w(N_("units: {key}: label {fields} changed")).format(key=key, fields=w.list(w.field(f) for f in changed))
    return compose(subject, [("Policy", "units set"), ("Unit", key)])


def unit_removed(policy: Policy, key: str) -> str:
    subject = Words(policy)(N_("units: remove {key}")).format(key=key)
    return compose(subject, [("Policy", "units remove"), ("Unit", key)])


def migrated(language: str, head: str) -> str:
    """The first commit of a repository migrated to encrypted complainant fields (R-RT-5)."""
    t = translations(language)
    return compose(t.gettext(N_("migrated: the state of {head}, complainant fields encrypted")).format(head=head[:10]),
                   [("Action", "migrate")], [t.gettext(N_("R-RT-5: the old history stays with hq."))])

"""Who may do what: roles per action, compensation limits (R-ES-2), senior staff for
repeat complaints (R-AS-5), the system account, incident kinds (R-AS-3), the offline window
and the moment the ledger starts. Parsed from the policy file; pure lookups, no I/O.

```yaml
approvals:                  # action -> the roles that may take it (an action not listed: anyone)
  extend: [vp, gm]          # R-DL-2, also a plan due later than the clock allows
  invalid: [dispatcher]     # R-AS-1: the dispatcher decides
compensation_limits: {staff: 500, head: 5000, vp: 50000, gm: null}   # R-ES-2; null: no limit
senior_roles: [head, vp, gm]                                       # R-AS-5
offline_window: 72h         # new entries older than this at push time need an approver
ledger: {since: 2026-01-01T00:00:00+08:00}   # the ledger rules apply to entries from then on
incidents:                  # R-AS-3
  fire: {zh: 火灾, en: Fire, severity: major, keywords: [火灾, 着火, 起火]}
```
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from complaintctl.errors import InvalidInput, PolicyError
from complaintctl.policy.durations import DAYS, HOURS, MINUTES, parse_duration, parse_moment

ROLES = ("staff", "head", "vp", "gm", "dispatcher", "hq", "system")
SYSTEM = "system"  # the account automated work (sweep from cron) runs as
# What each action-key of `approvals` governs. Keys are actions of the timeline, plus three
# kinds of correction and the late entry (docs/authority.md).
ACTIONS = (
    "received", "assign", "reassign", "plan", "replan", "contact", "note", "wait", "resume", "resolve",
    "revisit", "close", "reopen", "invalid", "extend", "escalate", "report", "edit", "correct",
    "lower-severity", "accused", "approve", "late", "decline-incident", "erase",
)
DEFAULT_APPROVALS: Mapping[str, tuple[str, ...]] = {
    "extend": ("vp",),  # R-DL-2: the vice-president in charge
    "invalid": ("dispatcher",),  # R-AS-1: the dispatcher decides
    "correct": ("dispatcher", "head", "vp", "gm", "hq"),
    "lower-severity": ("head", "vp", "gm", "hq"),  # R-AS-2: lowering severity by a head or above
    "accused": ("head", "vp", "gm", "hq"),  # R-RT-3: only a head or above changes `accused`
    "late": ("head", "vp", "gm", "hq"),
    # R-CL-3: reopening a *closed* (archived) case; a dissatisfied revisit's reopening of a
    # resolved case is the closed loop itself (R-CL-1) and needs nobody's approval.
    "reopen": ("head", "vp", "gm", "hq"),
    # R-AS-3: recording a complaint that reads as an incident as none (`new --no-incident`).
    "decline-incident": ("head", "vp", "gm", "hq"),
    # R-RT-5, PIPL art. 47: a complainant's data erased on request (docs/privacy.md, "Erasure")
    "erase": ("hq",),
}
# Vouching that an entry the record saw late was done on time is the late entry's approval.
VOUCH_LATE = "vouch-late"
DEFAULT_SENIOR = ("head", "vp", "gm")
DEFAULT_OFFLINE_WINDOW = timedelta(hours=72)
SEVERITY_ORDER = ("general", "major", "emergency")


@dataclass(frozen=True)
class Incident:
    """R-AS-3: an incident kind, the severity it sets and the words that reveal it."""

    key: str
    zh: str
    en: str
    severity: str
    keywords: tuple[str, ...]

    def text(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


@dataclass(frozen=True)
class Authority:
    approvals: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    compensation_limits: Mapping[str, float | None] | None = None  # None: no limits set
    senior_roles: tuple[str, ...] = DEFAULT_SENIOR
    offline_window: timedelta = DEFAULT_OFFLINE_WINDOW
    ledger_since: datetime | None = None  # None: the ledger rules are not switched on
    incidents: Mapping[str, Incident] = field(default_factory=dict)

    def roles_for(self, action: str) -> tuple[str, ...] | None:
        """The roles that may take `action`; None when anyone may."""
        if action == VOUCH_LATE:
            action = "late"
        if action in self.approvals:
            return self.approvals[action]
        return DEFAULT_APPROVALS.get(action)

    def allows(self, roles: Iterable[str], action: str) -> bool:
        """Whether someone with `roles` may take `action` (`approvals`; an action not listed:
        anyone). The one answer the steps, the ledger and both hooks ask."""
        allowed = self.roles_for(action)
        return allowed is None or bool(set(roles) & set(allowed))

    def role_for(self, roles: Iterable[str], action: str) -> str | None:
        """The role under which someone with `roles` takes a gated `action` (the first of their
        roles that `approvals` lists for it), recorded in the entry; None when none does."""
        allowed = self.roles_for(action) or ()
        return next((r for r in roles if r in allowed), None)

    def limit_for(self, roles: tuple[str, ...]) -> float | None:
        """R-ES-2: the highest compensation these roles may decide; None = no limit."""
        if self.compensation_limits is None:
            return None
        best: float = 0.0
        for r in roles:
            if r in self.compensation_limits:
                value = self.compensation_limits[r]
                if value is None:
                    return None
                best = max(best, value)
        return best


def _fail(source: str, key: str, msg: str) -> PolicyError:
    return PolicyError(f"{source}: {key}: {msg}")


def _roles(value: Any, source: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or any(r not in ROLES for r in value):
        raise _fail(source, key, f"expected a list of roles from {', '.join(ROLES)}")
    return tuple(value)


def parse_authority(top: Mapping[str, Any], source: str, tz: tzinfo, severities: Mapping[str, Any]) -> Authority:
    approvals: dict[str, tuple[str, ...]] = {}
    raw = top.get("approvals")
    if raw is not None and not isinstance(raw, Mapping):
        raise _fail(source, "approvals", "expected a mapping of action: [roles]")
    for k, v in (raw or {}).items():
        if k not in ACTIONS:
            raise _fail(source, f"approvals.{k}", f"unknown action (known: {', '.join(ACTIONS)})")
        approvals[str(k)] = _roles(v, source, f"approvals.{k}")

    limits: dict[str, float | None] | None = None
    raw = top.get("compensation_limits")
    if raw is not None:
        if not isinstance(raw, Mapping):
            raise _fail(source, "compensation_limits", "expected a mapping role: amount (null: no limit) (R-ES-2)")
        limits = {}
        for role, amount in raw.items():
            if role not in ROLES:
                raise _fail(source, f"compensation_limits.{role}", f"unknown role (known: {', '.join(ROLES)})")
            if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int | float)
                                       or amount < 0 or amount != amount):
                raise _fail(source, f"compensation_limits.{role}", "expected an amount ≥ 0, or null for no limit")
            limits[str(role)] = None if amount is None else float(amount)

    senior = _roles(top.get("senior_roles", list(DEFAULT_SENIOR)), source, "senior_roles")

    window = DEFAULT_OFFLINE_WINDOW
    if top.get("offline_window") is not None:
        try:
            d = parse_duration(top["offline_window"], "offline_window")
        except InvalidInput as exc:
            raise PolicyError(f"{source}: {exc}") from None
        if d.unit not in (MINUTES, HOURS, DAYS):
            raise _fail(source, "offline_window", "give clock time (e.g. 72h or 3 days)")
        window = timedelta(seconds=d.amount * {MINUTES: 60, HOURS: 3600, DAYS: 86400}[d.unit])

    since = None
    raw = top.get("ledger")
    if raw is not None:
        if not isinstance(raw, Mapping) or set(raw) != {"since"}:
            raise _fail(source, "ledger", "expected {since: DATE-TIME}: when the ledger rules start")
        since = parse_moment(raw["since"], tz, source, "ledger.since")

    incidents: dict[str, Incident] = {}
    raw = top.get("incidents")
    if raw is not None and not isinstance(raw, Mapping):
        raise _fail(source, "incidents", "expected a mapping of incident kinds (R-AS-3)")
    for k, v in (raw or {}).items():
        key = f"incidents.{k}"
        if not isinstance(v, Mapping):
            raise _fail(source, key, "expected {zh, en, severity, keywords}")
        severity = v.get("severity", "major")
        if severity not in severities:
            raise _fail(source, f"{key}.severity", f"{severity!r} is not in the policy's severities")
        words = v.get("keywords")
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise _fail(source, f"{key}.keywords", "expected a non-empty list of words")
        incidents[str(k)] = Incident(str(k), str(v.get("zh", k)), str(v.get("en", k)), str(severity),
                                     tuple(w.strip() for w in words))
    return Authority(approvals, limits, senior, window, since, incidents)


def severity_rank(severity: str) -> int:
    """general < major < emergency; an office's own severities rank as general."""
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else 0


def matching_incidents(incidents: Mapping[str, Incident], *texts: str) -> list[Incident]:
    """R-AS-3: the incident kinds whose keywords appear in these texts, in policy order."""
    joined = "\n".join(t for t in texts if t)
    return [i for i in incidents.values() if any(w in joined for w in i.keywords)]

"""The policy's `deadlines:` section, typed: which clocks a case gets, escalation limits, upgrades.

```yaml
deadlines:
  clocks:                     # per clock, rules tried in order; the first that matches wins
    response:   [{within: 5min}]
    resolution:
      - {severity: major, within: 7 working days}
      - {within: 3 working days}
    revisit:    [{within: 2 working days}]        # from the resolution
  escalation:                 # R-ES-1: level reached once the time has passed
    - {from: due, head: 0min, vp: 2 working days, gm: 5 working days}
  upgrade_open_after: 1 month # R-DL-6: a valid complaint open this long becomes major
```
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from complaintctl.errors import InvalidInput, PolicyError
from complaintctl.policy.durations import Duration, parse_duration

CLOCKS = ("intake", "response", "dispatch", "notice", "resolution", "completion", "verification", "revisit",
          "report", "board-report", "opinion")
# The clocks a written report stops (`complaintctl report-filed --clock NAME`): R-DL-5 the unit's
# "cannot meet the limit" notice (a plan also answers it), its completion report, the
# verification, the incident reports at 24 h and 48 h; R-DL-4 the consolidated opinion.
WRITTEN = ("notice", "completion", "verification", "report", "board-report", "opinion")
# Where each clock starts unless the rule says `from:`.
DEFAULT_START = {"intake": "received", "response": "received", "dispatch": "received", "notice": "dispatched",
                 "resolution": "received", "completion": "resolved", "verification": "resolved",
                 "revisit": "resolved", "report": "received", "board-report": "received", "opinion": "reported"}
STARTS = ("received", "recorded", "dispatched", "resolved", "reported")
ESCALATION_STARTS = ("received", "due")
MATCH_KEYS = {"severity": "severities", "category": "categories", "channel": "channels",
              "class": "complainant_classes"}
SECTION_KEYS = ("clocks", "escalation", "upgrade_open_after")  # what `deadlines:` may hold
RULE_KEYS = ("within", "from", "at_most", *MATCH_KEYS)  # what one clock rule may hold
PLAN = "plan"  # `within: plan` — the time limit written in the case's plan (R-IN-4)


@dataclass(frozen=True)
class Match:
    """Which cases a rule is for; an empty set matches anything."""

    severity: frozenset[str] = frozenset()
    category: frozenset[str] = frozenset()
    channel: frozenset[str] = frozenset()
    klass: frozenset[str] = frozenset()

    def matches(self, severity: str, category: str, channel: str, klass: str) -> bool:
        return all(not want or have in want for want, have in (
            (self.severity, severity), (self.category, category), (self.channel, channel),
            (self.klass, klass)))


@dataclass(frozen=True)
class ClockRule:
    match: Match
    within: Duration | None  # None: the plan's time limit
    start: str
    # With `within: plan`: the latest a first plan may set, from the clock's start (R-DL-1);
    # later is an extension (R-DL-2), as for a replan. None: the plan sets any limit.
    at_most: Duration | None = None


@dataclass(frozen=True)
class EscalationRule:
    match: Match
    start: str  # received, or due (the resolution deadline)
    levels: tuple[tuple[str, Duration], ...]  # chain order


@dataclass(frozen=True)
class DeadlinePolicy:
    clocks: tuple[tuple[str, tuple[ClockRule, ...]], ...] = ()
    escalation: tuple[EscalationRule, ...] = ()
    upgrade_open_after: Duration | None = None

    def rules(self, clock: str) -> tuple[ClockRule, ...]:
        return dict(self.clocks).get(clock, ())

    @property
    def uses_working_time(self) -> bool:
        return any(r.within is not None and r.within.in_working_time for _, rs in self.clocks for r in rs)


def _fail(source: str, key: str, msg: str) -> PolicyError:
    return PolicyError(f"{source}: deadlines.{key}: {msg}")


def _duration(value: Any, source: str, key: str) -> Duration:
    try:
        return parse_duration(value, key)
    except InvalidInput as exc:
        raise PolicyError(f"{source}: deadlines.{exc}") from None


def _match(rule: Mapping[str, Any], source: str, key: str, vocab: Mapping[str, Any]) -> Match:
    sets: dict[str, frozenset[str]] = {}
    for k, vocabulary in MATCH_KEYS.items():
        raw = rule.get(k)
        values = [] if raw is None else [raw] if isinstance(raw, str) else raw
        if not isinstance(values, list):
            raise _fail(source, f"{key}.{k}", "expected a name or a list of names")
        known = vocab.get(vocabulary)
        for v in values:
            if known is not None and str(v) not in known:
                raise _fail(source, f"{key}.{k}", f"{v!r} is not in the policy's {vocabulary} "
                            f"({', '.join(known)})")
        sets["klass" if k == "class" else k] = frozenset(str(v) for v in values)
    return Match(**sets)


def parse_deadlines(data: Any, source: str, vocab: Mapping[str, Any],
                    chain: tuple[str, ...]) -> DeadlinePolicy:
    """Check the `deadlines:` section; every error names its key. `vocab` maps vocabulary
    names (severities, categories, channels, complainant_classes) to the policy's keys."""
    if data is None or data == {}:
        return DeadlinePolicy()
    if not isinstance(data, Mapping):
        raise PolicyError(f"{source}: deadlines: expected a mapping (clocks, escalation, upgrade_open_after)")
    for key in data:
        if key not in SECTION_KEYS:
            raise _fail(source, str(key), "unknown key (known: clocks, escalation, upgrade_open_after)")
    clocks_data = data.get("clocks") or {}
    if not isinstance(clocks_data, Mapping):
        raise _fail(source, "clocks", f"expected a mapping of clocks ({', '.join(CLOCKS)})")
    clocks: list[tuple[str, tuple[ClockRule, ...]]] = []
    for name, rules in clocks_data.items():
        if name not in CLOCKS:
            raise _fail(source, f"clocks.{name}", f"unknown clock (known: {', '.join(CLOCKS)})")
        if isinstance(rules, Mapping):
            rules = [rules]
        if not isinstance(rules, list) or not rules:
            raise _fail(source, f"clocks.{name}", "expected a list of rules like {within: 3 working days}")
        parsed = []
        for i, rule in enumerate(rules):
            key = f"clocks.{name}[{i}]"
            if not isinstance(rule, Mapping):
                raise _fail(source, key, "expected a mapping with within: and optional severity, category, "
                            "channel, class, from")
            for k in rule:
                if k not in RULE_KEYS:
                    raise _fail(source, f"{key}.{k}", "unknown key (within, from, at_most, severity, "
                                "category, channel, class)")
            if "within" not in rule:
                raise _fail(source, f"{key}.within", "missing: the time limit (e.g. 3 working days, or plan)")
            within = None if rule["within"] == PLAN else _duration(rule["within"], source, f"{key}.within")
            start = str(rule.get("from", DEFAULT_START[name]))
            if start not in STARTS:
                raise _fail(source, f"{key}.from", f"{start!r} is not one of {', '.join(STARTS)}")
            at_most = None
            if rule.get("at_most") is not None:
                if within is not None:
                    raise _fail(source, f"{key}.at_most", "only with within: plan (the plan's longest limit)")
                at_most = _duration(rule["at_most"], source, f"{key}.at_most")
            parsed.append(ClockRule(_match(rule, source, key, vocab), within, start, at_most))
        clocks.append((str(name), tuple(parsed)))
    escalation = []
    for i, rule in enumerate(data.get("escalation") or []):
        key = f"escalation[{i}]"
        if not isinstance(rule, Mapping):
            raise _fail(source, key, "expected a mapping like {from: due, head: 0min, vp: 2 working days}")
        start = str(rule.get("from", "due"))
        if start not in ESCALATION_STARTS:
            raise _fail(source, f"{key}.from", f"{start!r} is not one of {', '.join(ESCALATION_STARTS)}")
        levels = []
        for k, v in rule.items():
            if k in ("from", *MATCH_KEYS):
                continue
            if k not in chain:
                raise _fail(source, f"{key}.{k}", f"not a level of the escalation chain ({', '.join(chain)})")
            levels.append((str(k), _duration(v, source, f"{key}.{k}")))
        levels.sort(key=lambda lv: chain.index(lv[0]))
        escalation.append(EscalationRule(_match(rule, source, key, vocab), start, tuple(levels)))
    raw_after = data.get("upgrade_open_after")
    after = None if raw_after is None else _duration(raw_after, source, "upgrade_open_after")
    return DeadlinePolicy(tuple(clocks), tuple(escalation), after)

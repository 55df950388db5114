"""R-WF: a timeline entry is one of the actions complaintctl records, carrying only the keys
that action writes. The ledger replays entries by their action (rules.effects); an unknown
action or a key no step writes would sit in the record explaining nothing, and a reader
could take it for something the office decided — so it is refused in the one validator (the
CLI, pre-commit and pre-receive alike).

The keys per action are what the steps write (handling.steps, handling.deadlines, sweep's
rules.due, handling.notify, handling.editing, remote.sync's renumbering); tests/test_entries.py
runs every step and checks each entry it writes against this table. Only entries a change
adds are judged (all of them for a new file), so records made before keep validating.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from complaintctl.i18n import _
from complaintctl.rules.context import CheckContext
from complaintctl.rules.finding import Finding

# Every entry: when, who, what, the status move, a note, and — recorded late — the approver's reason.
COMMON = frozenset({"at", "by", "action", "from", "to", "note", "late_reason"})
ENTRY_KEYS: Mapping[str, frozenset[str]] = {
    "received": frozenset({"declined", "reason", "role"}),  # R-AS-3: an incident declined, by whom, why
    "assign": frozenset({"handler", "unit", "copied"}),  # R-RT-1, R-RT-2
    "reassign": frozenset({"handler", "unit", "copied"}),
    "plan": frozenset({"resolver", "measures", "due"}),  # R-IN-4
    "replan": frozenset({"resolver", "measures", "due"}),
    "contact": frozenset(), "note": frozenset(), "wait": frozenset(), "resume": frozenset(),
    "resolve": frozenset({"outcome", "summary", "compensation", "responsible", "share", "loss"}),  # R-CL-2
    "revisit": frozenset({"satisfaction", "confirmed"}),  # R-CL-1, R-CL-4
    "close": frozenset({"root_cause", "preventive_action", "lesson"}),  # R-RT-6, R-DL-7
    "reopen": frozenset({"role"}),  # R-CL-3: the role a closed case is reopened under
    "invalid": frozenset({"reason"}),  # R-AS-1
    "correct": frozenset({"field", "old", "value"}),
    "approve": frozenset({"compensation"}),  # R-ES-2
    "extend": frozenset({"clock", "until"}),  # R-DL-2
    "escalate": frozenset({"level"}),  # R-ES-1
    "report": frozenset({"clock"}),  # R-DL-4, R-DL-5
    "upgrade": frozenset({"severity", "missed"}),  # R-DL-6
    "remind": frozenset({"clock", "due"}),  # R-DL-7
    "notify": frozenset({"notice", "ref", "recipients"}),  # the notices sent (rules.notices)
    "edit": frozenset({"fields"}),
    "erase": frozenset({"fields", "key"}),  # R-RT-5: the protected fields erased, the case key retired
    "renumber": frozenset({"old_id", "new_id"}),  # sync's renumbering (rules.renumber)
    "vouch-late": frozenset({"of", "reason"}),  # an approver vouches an entry recorded late was done on time
}


def _key(entry: Any) -> str:
    return json.dumps(entry, sort_keys=True, default=str, ensure_ascii=False)


def added_entries(ctx: CheckContext) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """The entries this change adds: every entry not already in the previous version."""
    timeline = ctx.data.get("timeline")
    entries = timeline if isinstance(timeline, list) else []
    old_timeline = ctx.previous.get("timeline") if ctx.previous is not None else None
    seen = Counter(_key(e) for e in old_timeline) if isinstance(old_timeline, list) else Counter()
    for i, e in enumerate(entries):
        k = _key(e)
        if seen[k]:
            seen[k] -= 1
        elif isinstance(e, Mapping):
            yield i, e


def check(ctx: CheckContext) -> Iterator[Finding]:
    for i, e in added_entries(ctx):
        action = e.get("action")
        if action is None or action == "":
            continue  # rules.transitions names the missing action
        allowed = ENTRY_KEYS.get(str(action))
        if allowed is None:
            yield ctx.finding(f"timeline[{i}].action", "R-WF",
                              _("{action!r} is not an action complaintctl records (known: {known})")
                              .format(action=action, known=", ".join(ENTRY_KEYS)))
            continue
        for key in e:
            if str(key) not in COMMON and str(key) not in allowed:
                yield ctx.finding(f"timeline[{i}].{key}", "R-WF",
                                  _("a {action} entry never carries {key!r} (it carries: {keys})").format(
                                      action=action, key=str(key), keys=", ".join(sorted(COMMON | allowed))))

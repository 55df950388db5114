"""What each timeline entry does to the case document — the one definition shared by the
CLI's steps (handling.steps builds the entry, then applies it here) and by the validator,
which replays a change's new entries over the previous version (rules.ledger).

An entry carries the values it sets: `assign` its handler, unit and heads copied; `plan` its
resolver, measures and due; `resolve` the outcome and amounts; `correct` the field and new
value… Works on round-trip documents (CommentedMap) and on plain dicts alike.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Mapping, MutableMapping
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from complaintctl.model import fields as F
from complaintctl.model.case import as_datetime, get
from complaintctl.model.snapshot import Case
from complaintctl.policy import clocks
from complaintctl.policy.calendar import WorkCalendar
from complaintctl.policy.policy import Policy
from complaintctl.privacy import marker as M

if TYPE_CHECKING:
    from ruamel.yaml.comments import CommentedMap


def _round_trip(doc: Any) -> bool:
    """A ruamel.yaml document (kept comments and layout) rather than a plain dict. Asked
    without importing ruamel: the hooks and readers, which never load it, hold no such document."""
    comments = sys.modules.get("ruamel.yaml.comments")
    return comments is not None and isinstance(doc, comments.CommentedMap)

Doc = MutableMapping[str, Any]

# Free text a person may put right with `edit` (R-IN-1 wording, names as spelt, the story…).
# Every other field is one that rules depend on: only its own step, or `correct`, changes it.
FREE_TEXT = (
    F.INTAKE_COMPLAINANT_NAME, F.INTAKE_COMPLAINANT_CONTACT, F.INTAKE_COMPLAINANT_ADDRESS,
    F.INTAKE_LOCATION, F.INTAKE_SUBJECT, F.INTAKE_DETAILS, F.INTAKE_MATERIALS,
    F.PLAN_MEASURES, F.RESOLUTION_SUMMARY, F.REVISIT_COMMENT, F.CLOSING_ROOT_CAUSE,
    F.CLOSING_LESSON, F.CLOSING_PREVENTIVE_ACTION,
    F.INTAKE_COMPLAINANT_LOOKUP,  # R-AS-5: follows the name and contact an edit changes (privacy.repeats)
)
# What `correct` may change, and the approvals key that says who may (docs/authority.md).
CORRECTABLE = {
    F.ASSESSMENT_CATEGORY: "correct",  # R-DEF-3
    F.ASSESSMENT_SEVERITY: "correct",  # R-AS-2 (lowering it: lower-severity)
    F.INTAKE_COMPLAINANT_CLASS: "correct",  # R-DEF-2
    F.INTAKE_CHANNEL: "correct",  # R-DEF-4
    F.INTAKE_RECEIVED_AT: "correct",  # R-IN-1: a mistyped receipt time
    F.INTAKE_FIRST_RECEIVER: "correct",  # R-IN-2
    F.ASSESSMENT_REPEAT_OF: "correct",  # R-AS-5
    F.ACCUSED_PERSON: "accused",  # R-RT-3
    F.ACCUSED_UNIT: "accused",
}
AT_FIELDS = frozenset({F.INTAKE_RECEIVED_AT})  # corrections whose value is a moment
INTAKE_ASSESSMENT = ("category", "severity", "repeat_of", "repeat", "incident")  # set at intake


def fresh(value: Any) -> Any:
    """A new copy of a value, never an object shared with another field: the YAML dumper would
    write an alias (&id001) for a shared datetime or list."""
    if isinstance(value, datetime):
        tz = value.tzinfo
        off = value.utcoffset() if tz else None
        return datetime(value.year, value.month, value.day, value.hour, value.minute, value.second,
                        tzinfo=timezone(off) if off is not None else None)
    if isinstance(value, date):
        return date(value.year, value.month, value.day)
    if isinstance(value, list | tuple):
        return [fresh(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): fresh(v) for k, v in value.items()}
    return value


def _new_map(doc: Doc) -> Doc:
    if not _round_trip(doc):
        return {}
    from ruamel.yaml.comments import CommentedMap

    return CommentedMap()


def _seq(doc: Doc, items: Any) -> list[Any]:
    values = [fresh(v) for v in (items or [])]
    if not _round_trip(doc):
        return values
    from ruamel.yaml.comments import CommentedSeq

    return CommentedSeq(values)


def section(doc: Doc, key: str) -> Doc:
    value = doc.get(key)
    if not isinstance(value, MutableMapping):
        value = _new_map(doc)
        doc[key] = value
    return value


def set_path(doc: Doc, path: str, value: Any) -> None:
    parts = path.split(".")
    cur = doc
    for part in parts[:-1]:
        cur = section(cur, part)
    cur[parts[-1]] = value


def _record(doc: Doc, key: str, pairs: list[tuple[str, Any]]) -> None:
    m = _new_map(doc)
    for k, v in pairs:
        m[k] = fresh(v)
    doc[key] = m


def _assign(doc: Doc, e: Mapping[str, Any], policy: Policy, final: Mapping[str, Any] | None) -> None:
    routing = section(doc, "routing")
    routing["unit"] = e.get("unit")
    routing["handler"] = e.get("handler")
    routing["copied"] = _seq(doc, e.get("copied"))
    if routing.get("escalation_level") is None:
        routing["escalation_level"] = policy.escalation_chain[0]


def _plan(doc: Doc, e: Mapping[str, Any], policy: Policy, final: Mapping[str, Any] | None) -> None:
    p = section(doc, "plan")
    p["resolver"], p["measures"], p["due"] = e.get("resolver"), e.get("measures"), fresh(e.get("due"))


def _resolve(doc: Doc, e: Mapping[str, Any], policy: Policy, final: Mapping[str, Any] | None) -> None:
    _record(doc, "resolution", [("at", e.get("at")), ("by", e.get("by")), ("outcome", e.get("outcome")),
                                ("summary", e.get("summary")), ("compensation", e.get("compensation")),
                                ("responsible", e.get("responsible")), ("share", e.get("share")),
                                ("loss", e.get("loss"))])  # R-CL-2
    doc.pop("revisit", None)  # R-CL-1: a new resolution awaits a new revisit


def _revisit(doc: Doc, e: Mapping[str, Any], policy: Policy, final: Mapping[str, Any] | None) -> None:
    _record(doc, "revisit", [("at", e.get("at")), ("by", e.get("by")), ("satisfaction", e.get("satisfaction")),
                             ("comment", e.get("note") or None),
                             ("confirmed_by_customer", bool(e.get("confirmed")))])  # R-CL-4


def _close(doc: Doc, e: Mapping[str, Any], policy: Policy, final: Mapping[str, Any] | None) -> None:
    _record(doc, "closing", [("at", e.get("at")), ("by", e.get("by")), ("root_cause", e.get("root_cause")),
                             ("preventive_action", e.get("preventive_action") or None),  # R-RT-6
                             ("lesson", e.get("lesson") or None),
                             ("late_reason", e.get("late_reason") or None)])  # R-DL-7


def _reopen(doc: Doc, e: Mapping[str, Any], policy: Policy, final: Mapping[str, Any] | None) -> None:
    doc.pop("closing", None)


def _invalid(doc: Doc, e: Mapping[str, Any], policy: Policy, final: Mapping[str, Any] | None) -> None:
    a = section(doc, "assessment")
    a["valid"] = False
    a["invalid_reason"] = e.get("reason")
    a["reply"] = e.get("note")  # R-AS-1: an invalid case still gets a reasoned reply
    a["decided_by"] = e.get("by")


def _escalate(doc: Doc, e: Mapping[str, Any], policy: Policy, final: Mapping[str, Any] | None) -> None:
    section(doc, "routing")["escalation_level"] = e.get("level")


def _upgrade(doc: Doc, e: Mapping[str, Any], policy: Policy, final: Mapping[str, Any] | None) -> None:
    section(doc, "assessment")["severity"] = e.get("severity") or "major"


def _correct(doc: Doc, e: Mapping[str, Any], policy: Policy, final: Mapping[str, Any] | None) -> None:
    field = str(e.get("field") or "")
    if field not in CORRECTABLE:
        return  # the ledger reports it
    value = e.get("value")
    if field == F.ASSESSMENT_REPEAT_OF:
        value = _seq(doc, value if isinstance(value, list) else [] if value in (None, "") else [value])
    elif field in AT_FIELDS:
        value = fresh(as_datetime(value, policy.tz))
    set_path(doc, field, fresh(value))


def _edit(doc: Doc, e: Mapping[str, Any], policy: Policy, final: Mapping[str, Any] | None) -> None:
    if final is None:
        return
    for field in e.get("fields") or []:
        if str(field) in FREE_TEXT:
            set_path(doc, str(field), fresh(get(final, str(field))))


def _erase(doc: Doc, e: Mapping[str, Any], policy: Policy, final: Mapping[str, Any] | None) -> None:
    """R-RT-5 (PIPL art. 47): the listed protected fields become `[erased]`; the blind-index
    lookups go, which would still link the person's cases."""
    for field in e.get("fields") or []:
        if str(field) in M.ENCRYPTED_FIELDS:
            set_path(doc, str(field), M.ERASED)
    complainant = get(doc, F.INTAKE_COMPLAINANT)
    if isinstance(complainant, MutableMapping):
        complainant.pop("lookup", None)


def _renumber(doc: Doc, e: Mapping[str, Any], policy: Policy, final: Mapping[str, Any] | None) -> None:
    old, new = str(e.get("old_id")), str(e.get("new_id"))
    if doc.get("id") == old:
        doc["id"] = new
    links = get(doc, F.ASSESSMENT_REPEAT_OF)
    if isinstance(links, list) and old in [str(x) for x in links]:
        section(doc, "assessment")["repeat_of"] = _seq(doc, [new if str(x) == old else x for x in links])


def _nothing(doc: Doc, e: Mapping[str, Any], policy: Policy, final: Mapping[str, Any] | None) -> None:
    """A record that something was told or noted (`notify`): no field changes."""


EFFECTS = {
    "assign": _assign, "reassign": _assign, "plan": _plan, "replan": _plan, "resolve": _resolve,
    "revisit": _revisit, "close": _close, "reopen": _reopen, "invalid": _invalid, "escalate": _escalate,
    "upgrade": _upgrade, "correct": _correct, "edit": _edit, "erase": _erase, "renumber": _renumber, "notify": _nothing,
    "vouch-late": _nothing,
}


def intake_base(data: Mapping[str, Any], policy: Policy) -> dict[str, Any]:
    """What the intake entry (`received`) explains of a new case: its id, intake, accused and
    the intake assessment; nothing routed, planned or decided yet."""
    a = data.get("assessment") if isinstance(data.get("assessment"), Mapping) else {}
    assert isinstance(a, Mapping)
    base: dict[str, Any] = {k: copy.deepcopy(data.get(k)) for k in ("id", "intake", "accused")}
    base["assessment"] = {k: copy.deepcopy(a.get(k)) for k in INTAKE_ASSESSMENT if k in a}
    base["assessment"]["valid"] = True
    base["status"] = "received"
    base["routing"] = {"escalation_level": policy.escalation_chain[0]}
    return base


def apply_entry(doc: Doc, entry: Mapping[str, Any], policy: Policy, final: Mapping[str, Any] | None = None) -> None:
    """Change `doc` as `entry` says (its effect, then its status move)."""
    effect = EFFECTS.get(str(entry.get("action")))
    if effect is not None:
        effect(doc, entry, policy, final)
    if entry.get("to") is not None:
        doc["status"] = entry.get("to")


def refresh_clocks(doc: CommentedMap | dict[str, Any], policy: Policy) -> None:
    """Store the case's SLA clocks as the policy computes them (R-IN-3, R-DL-1…6)."""
    computed = clocks.as_yaml(clocks.expected(Case.from_data(doc, policy.tz), policy, WorkCalendar.from_policy(policy)))
    if not computed and "clocks" not in doc:
        return
    if not _round_trip(doc):
        doc["clocks"] = {name: dict(value) for name, value in computed.items()}
        return
    from ruamel.yaml.comments import CommentedMap

    assert isinstance(doc, CommentedMap)
    sect = CommentedMap()
    for name, value in computed.items():
        # Block style, not `{due: …, done: …}`: libyaml (the fast reader) refuses a ':' inside
        # a flow scalar, so flow-style times would send every case file to the pure-Python
        # parser — about 4.5x slower cold reads (BENCHMARKS.md).
        sect[name] = CommentedMap(value)
    if "clocks" in doc:
        doc["clocks"] = sect
        return
    pos = list(doc).index("timeline") if "timeline" in doc else len(doc)
    doc.insert(pos, "clocks", sect)
    doc.yaml_set_comment_before_after_key(
        "clocks", before="SLA clocks: due times computed from the policy (R-DL-*); the validator recomputes them")


def blank(value: Any) -> bool:
    """None, or an empty or all-space text, list or mapping: the same as a missing key."""
    return value is None or (isinstance(value, str | list | dict) and len(value) == 0) \
        or (isinstance(value, str) and not value.strip())


def differences(before: Mapping[str, Any], after: Mapping[str, Any], prefix: str = "",
                skip: frozenset[str] = frozenset()) -> list[str]:
    """Dotted paths whose values differ; a blank value and a missing key count as the same."""
    out = []
    for key in sorted(set(before) | set(after), key=str):
        path = f"{prefix}{key}"
        if path in skip:
            continue
        a, b = before.get(key), after.get(key)
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            out.extend(differences(a, b, f"{path}.", skip))
        elif isinstance(a, Mapping) and blank(b):
            out.extend(differences(a, {}, f"{path}.", skip))
        elif isinstance(b, Mapping) and blank(a):
            out.extend(differences({}, b, f"{path}.", skip))
        elif not (blank(a) and blank(b)) and _plain(a) != _plain(b):
            out.append(path)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value

"""The complaint lifecycle: states, legal transitions, required fields per state."""

from __future__ import annotations

STATES = ("received", "assigned", "in_progress", "waiting", "resolved", "closed", "invalid")
OPEN_STATES = frozenset({"received", "assigned", "in_progress", "waiting"})
TERMINAL = frozenset({"invalid"})

# (from, to) -> the action that performs it. `reopen` answers a dissatisfied
# revisit (R-CL-1: closed loop); `invalid` is the dispatcher's decision (R-AS-1).
TRANSITIONS: dict[tuple[str, str], str] = {
    ("received", "assigned"): "assign",
    ("assigned", "in_progress"): "plan",
    ("in_progress", "waiting"): "wait",
    ("waiting", "in_progress"): "resume",
    ("in_progress", "resolved"): "resolve",
    ("waiting", "resolved"): "resolve",
    ("resolved", "closed"): "close",
    ("resolved", "in_progress"): "reopen",
    ("closed", "in_progress"): "reopen",
    ("received", "invalid"): "invalid",
    ("assigned", "invalid"): "invalid",
    ("in_progress", "invalid"): "invalid",
}

_INTAKE = (
    "id", "status", "intake.received_at", "intake.recorded_at", "intake.channel",
    "intake.first_receiver", "intake.complainant.name", "intake.complainant.class",
    "intake.complainant.contact", "intake.subject", "intake.details",
    "assessment.category", "assessment.severity",
)  # R-IN-1, R-IN-2, R-DEF-2, R-DEF-4
_ASSIGNED = _INTAKE + ("routing.unit", "routing.handler")  # R-RT-2
_PLANNED = _ASSIGNED + ("plan.resolver", "plan.measures", "plan.due")  # R-IN-4, R-RT-4
_RESOLVED = _PLANNED + ("resolution.outcome", "resolution.summary", "resolution.at", "resolution.by")  # R-CL-2
DEFAULT_REQUIRED: dict[str, tuple[str, ...]] = {
    "received": _INTAKE,
    "assigned": _ASSIGNED,
    "in_progress": _PLANNED,
    "waiting": _PLANNED,
    "resolved": _RESOLVED,
    "closed": _RESOLVED + ("revisit.at", "revisit.satisfaction", "closing.at", "closing.by",
                           "closing.root_cause"),  # R-CL-1, R-RT-6
    "invalid": _INTAKE + ("assessment.invalid_reason", "assessment.reply"),  # R-AS-1
}

SATISFACTION = ("satisfied", "neutral", "dissatisfied")


def is_legal(src: str, dst: str) -> bool:
    return (src, dst) in TRANSITIONS


def legal_targets(src: str) -> list[str]:
    return [d for (s, d) in TRANSITIONS if s == src]

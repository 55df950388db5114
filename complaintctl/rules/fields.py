"""Required fields per state and the policy's vocabularies (R-IN-1, R-DEF-2/3/4, R-AS-2, R-CL-2)."""

from __future__ import annotations

from collections.abc import Iterator

from complaintctl.model import workflow
from complaintctl.model.case import get, is_blank
from complaintctl.model.ids import CASE_ID_RE, case_id_from_filename
from complaintctl.rules.context import CheckContext
from complaintctl.rules.finding import Finding

# (field, policy vocabulary, rule)
_VOCABULARIES = (
    ("intake.channel", "channels", "R-DEF-4"),
    ("intake.complainant.class", "complainant_classes", "R-DEF-2"),
    ("assessment.category", "categories", "R-DEF-3"),
    ("assessment.severity", "severities", "R-AS-2"),
    ("routing.unit", "units", "R-RT-1"),
    ("resolution.outcome", "outcomes", "R-CL-2"),
)

# The rule that asks for a required field, by its path (longest prefix wins).
_REQUIRED_BY = (
    ("id", "R-IN-5"), ("assessment.category", "R-DEF-3"), ("assessment.severity", "R-AS-2"),
    ("assessment.invalid_reason", "R-AS-1"), ("assessment.reply", "R-AS-1"),
    ("routing.unit", "R-RT-1"), ("routing.", "R-RT-2"), ("plan.", "R-IN-4"),
    ("resolution.", "R-CL-2"), ("revisit.", "R-CL-1"), ("closing.", "R-CL-1"), ("intake.", "R-IN-1"),
)


def required_rule(field: str) -> str:
    for prefix, rule in _REQUIRED_BY:
        if field == prefix or (prefix.endswith(".") and field.startswith(prefix)):
            return rule
    return "R-WF"


def check(ctx: CheckContext) -> Iterator[Finding]:
    data, policy = ctx.data, ctx.policy
    status = data.get("status")
    if status not in workflow.STATES:
        yield ctx.finding("status", "R-WF", f"{status!r} is not a state ({', '.join(workflow.STATES)})")
        return
    case_id = str(data.get("id") or "")
    if not CASE_ID_RE.match(case_id):
        yield ctx.finding("id", "R-IN-5", f"{case_id!r} is not a case ID (OFFICE-YYMM-NNNN)")
    else:
        from_name = case_id_from_filename(ctx.path.rsplit("/", 1)[-1])
        if from_name is None or str(from_name) != case_id or from_name.relpath != ctx.path:
            expected = case_id_from_filename(case_id + ".yaml")
            where = expected.relpath if expected else "?"
            yield ctx.finding("id", "R-IN-5", f"case {case_id} must be stored at {where}")
        office = case_id.split("-")[0]
        if office != policy.office and office not in policy.offices:
            yield ctx.finding("id", "R-IN-5", f"office code {office!r} is not this repository's "
                              f"({policy.office}) nor listed under offices:")
    for field in policy.required[status]:
        if is_blank(get(data, field)):
            yield ctx.finding(field, required_rule(field), f"required when the case is {status}")
    for field, vocab, rule in _VOCABULARIES:
        value = get(data, field)
        if not is_blank(value) and str(value) not in getattr(policy, vocab):
            known = ", ".join(getattr(policy, vocab))
            yield ctx.finding(field, rule, f"{value!r} is not in the policy's {vocab} ({known})")
    satisfaction = get(data, "revisit.satisfaction")
    if not is_blank(satisfaction) and satisfaction not in workflow.SATISFACTION:
        yield ctx.finding("revisit.satisfaction", "R-CL-1",
                          f"{satisfaction!r} is not one of {', '.join(workflow.SATISFACTION)}")
    level = get(data, "routing.escalation_level")
    if not is_blank(level) and level not in policy.escalation_chain:
        yield ctx.finding("routing.escalation_level", "R-ES-1",
                          f"{level!r} is not on the escalation chain ({', '.join(policy.escalation_chain)})")
    yield from _amounts(ctx)
    if status == "invalid" and get(data, "assessment.valid") is not False:
        yield ctx.finding("assessment.valid", "R-AS-1", "an invalid case must say valid: false")


def _amounts(ctx: CheckContext) -> Iterator[Finding]:
    """R-CL-2: amounts are numbers ≥ 0; a share of responsibility lies between 0 and 1."""
    for field, high in (("resolution.compensation", None), ("resolution.loss", None), ("resolution.share", 1.0)):
        value = get(ctx.data, field)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value \
                or value in (float("inf"), float("-inf")):
            yield ctx.finding(field, "R-CL-2", f"{value!r} is not a number")
        elif value < 0 or (high is not None and value > high):
            bound = "between 0 and 1" if high is not None else "0 or more"
            yield ctx.finding(field, "R-CL-2", f"{value!r} must be {bound}")

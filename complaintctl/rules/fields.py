"""Required fields per state and the policy's vocabularies (R-IN-1, R-DEF-2/3/4, R-AS-2, R-CL-2)."""

from __future__ import annotations

from collections.abc import Iterator

from complaintctl import i18n, labels
from complaintctl.i18n import N_, _
from complaintctl.model import fields as F
from complaintctl.model import workflow
from complaintctl.model.case import get, is_blank
from complaintctl.model.ids import CASE_ID_RE, case_id_from_filename
from complaintctl.rules import amounts
from complaintctl.rules.context import CheckContext
from complaintctl.rules.finding import Finding
from complaintctl.rules.intake import is_anonymous

# (field, policy vocabulary, rule, message: translated when a finding is made)
_VOCABULARIES = (
    (F.INTAKE_CHANNEL, "channels", "R-DEF-4", N_("{value!r} is not in the policy's channels ({known})")),
    (F.INTAKE_COMPLAINANT_CLASS, "complainant_classes", "R-DEF-2",
     N_("{value!r} is not in the policy's complainant classes ({known})")),
    (F.ASSESSMENT_CATEGORY, "categories", "R-DEF-3", N_("{value!r} is not in the policy's categories ({known})")),
    (F.ASSESSMENT_SEVERITY, "severities", "R-AS-2", N_("{value!r} is not in the policy's severities ({known})")),
    (F.ROUTING_UNIT, "units", "R-RT-1", N_("{value!r} is not in the policy's units ({known})")),
    (F.RESOLUTION_OUTCOME, "outcomes", "R-CL-2", N_("{value!r} is not in the policy's outcomes ({known})")),
)

# The rule that asks for a required field, by its path (longest prefix wins).
_REQUIRED_BY = (
    ("id", "R-IN-5"), (F.ASSESSMENT_CATEGORY, "R-DEF-3"), (F.ASSESSMENT_SEVERITY, "R-AS-2"),
    (F.ASSESSMENT_INVALID_REASON, "R-AS-1"), (F.ASSESSMENT_REPLY, "R-AS-1"),
    (F.ROUTING_UNIT, "R-RT-1"), (F.ROUTING + ".", "R-RT-2"), (F.PLAN + ".", "R-IN-4"),
    (F.RESOLUTION + ".", "R-CL-2"), (F.REVISIT + ".", "R-CL-1"), (F.CLOSING + ".", "R-CL-1"),
    (F.INTAKE + ".", "R-IN-1"),
)


_ANONYMOUS_WAIVES = frozenset({F.INTAKE_COMPLAINANT_NAME, F.INTAKE_COMPLAINANT_CONTACT, F.REVISIT_AT,
                               F.REVISIT_SATISFACTION})


def required_rule(field: str) -> str:
    for prefix, rule in _REQUIRED_BY:
        if field == prefix or (prefix.endswith(".") and field.startswith(prefix)):
            return rule
    return "R-WF"


def check(ctx: CheckContext) -> Iterator[Finding]:
    data, policy = ctx.data, ctx.policy
    status = data.get("status")
    if status not in workflow.STATES:
        yield ctx.finding("status", "R-WF",
                          _("{status!r} is not a state "
                            "({states})").format(status=status, states=", ".join(workflow.STATES)))
        return
    case_id = str(data.get("id") or "")
    if not CASE_ID_RE.match(case_id):
        yield ctx.finding("id", "R-IN-5", _("{case_id!r} is not a case ID (OFFICE-YYMM-NNNN)").format(case_id=case_id))
    else:
        from_name = case_id_from_filename(ctx.path.rsplit("/", 1)[-1])
        if from_name is None or str(from_name) != case_id or from_name.relpath != ctx.path:
            expected = case_id_from_filename(case_id + ".yaml")
            where = expected.relpath if expected else "?"
            yield ctx.finding("id", "R-IN-5",
                              _("case {case_id} must be stored at {where}").format(case_id=case_id, where=where))
        office = case_id.split("-")[0]
        if office != policy.office and office not in policy.offices:
            yield ctx.finding("id", "R-IN-5",
                              _("office code {code!r} is not this repository's ({office}) nor listed under offices:")
                              .format(code=office, office=policy.office))
    # R-IN-1: an anonymous complaint has no name or contact; R-CL-1: so nobody to revisit
    waived = _ANONYMOUS_WAIVES if is_anonymous(data) else frozenset()
    for field in policy.required[status]:
        if field not in waived and is_blank(get(data, field)):  # the status's word is looked up only for a finding
            state_label = i18n.translations(i18n.language()).pgettext(*labels.STATUSES[status])
            yield ctx.finding(field, required_rule(field),
                              _("required when the case is {status}").format(status=state_label))
    for field, vocab, rule, message in _VOCABULARIES:
        value = get(data, field)
        if not is_blank(value) and str(value) not in getattr(policy, vocab):
            known = ", ".join(getattr(policy, vocab))
            yield ctx.finding(field, rule, _(message).format(value=value, known=known))
    satisfaction = get(data, F.REVISIT_SATISFACTION)
    if not is_blank(satisfaction) and satisfaction not in workflow.SATISFACTION:
        yield ctx.finding(F.REVISIT_SATISFACTION, "R-CL-1",
                          _("{value!r} is not one of {choices}")
                          .format(value=satisfaction, choices=", ".join(workflow.SATISFACTION)))
    level = get(data, F.ROUTING_ESCALATION_LEVEL)
    if not is_blank(level) and level not in policy.escalation_chain:
        yield ctx.finding(F.ROUTING_ESCALATION_LEVEL, "R-ES-1",
                          _("{level!r} is not on the escalation chain ({chain})")
                          .format(level=level, chain=", ".join(policy.escalation_chain)))
    yield from _amounts(ctx)
    if status == "invalid" and get(data, F.ASSESSMENT_VALID) is not False:
        yield ctx.finding(F.ASSESSMENT_VALID, "R-AS-1", _("an invalid case must say valid: false"))


def _amounts(ctx: CheckContext) -> Iterator[Finding]:
    """R-CL-2: amounts are numbers ≥ 0; a share of responsibility lies between 0 and 1."""
    for field, problem in ((F.RESOLUTION_COMPENSATION, amounts.amount_problem),
                           (F.RESOLUTION_LOSS, amounts.amount_problem), (F.RESOLUTION_SHARE, amounts.share_problem)):
        value = get(ctx.data, field)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value \
                or value in (float("inf"), float("-inf")):
            yield ctx.finding(field, "R-CL-2", _("{value!r} is not a number").format(value=value))
        elif (message := problem(value)) is not None:
            yield ctx.finding(field, "R-CL-2", message)

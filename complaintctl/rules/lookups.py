"""R-AS-5 with privacy required: the blind-index lookups a case carries
(`intake.complainant.lookup`, privacy/blindindex.py) are well-formed and of the case's own
office, and an erased complainant has none. Needs no key, so the server checks it; whether a
lookup matches its plaintext only a key holder can tell (the CLI writes them)."""

from __future__ import annotations

from collections.abc import Iterator

from complaintctl.errors import InvalidInput
from complaintctl.i18n import _
from complaintctl.model import fields as F
from complaintctl.model.case import get
from complaintctl.model.ids import parse_case_id
from complaintctl.privacy import blindindex
from complaintctl.privacy import marker as M
from complaintctl.rules.context import CheckContext
from complaintctl.rules.finding import Finding


def check(ctx: CheckContext) -> Iterator[Finding]:
    lookups = get(ctx.data, F.INTAKE_COMPLAINANT_LOOKUP)
    if lookups is None or not ctx.policy.privacy.required:
        return
    try:
        office = parse_case_id(str(ctx.data.get("id"))).office
    except InvalidInput:
        return  # the fields rule names a bad ID
    if not isinstance(lookups, list):
        yield ctx.finding(F.INTAKE_COMPLAINANT_LOOKUP, "R-AS-5", _("must be a list of BIDX[v1,…] lookups"))
        return
    if M.ERASED in (get(ctx.data, F.INTAKE_COMPLAINANT_NAME), get(ctx.data, F.INTAKE_COMPLAINANT_CONTACT)) \
            and lookups:
        yield ctx.finding(F.INTAKE_COMPLAINANT_LOOKUP, "R-AS-5",
                          _("an erased complainant keeps no lookups (they would still link their cases)"))
    for i, value in enumerate(lookups):
        parsed = blindindex.parse(value)
        if parsed is None:
            yield ctx.finding(f"{F.INTAKE_COMPLAINANT_LOOKUP}[{i}]", "R-AS-5",
                              _("{value!r} is not a BIDX[v1,OFFICE,epoch,digest] lookup").format(value=str(value)[:40]))
        elif parsed.office != office:
            yield ctx.finding(f"{F.INTAKE_COMPLAINANT_LOOKUP}[{i}]", "R-AS-5",
                              _("a lookup of office {other} in a case of office {office}").format(
                                  other=parsed.office, office=office))

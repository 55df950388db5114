"""R-RT-5: with `privacy.required`, the complainant's name, contact and address, the location
and the details are stored as markers of the case's own office (or empty, or `[erased]`),
never in clear (docs/design/encrypted-fields.md). Needs no key: the markers' shape only;
whether a key id is in the office's case-key ref is the server's (remote/keyrefs.py)."""

from __future__ import annotations

from collections.abc import Iterator

from complaintctl.errors import InvalidInput
from complaintctl.i18n import _
from complaintctl.model.case import get
from complaintctl.model.ids import parse_case_id
from complaintctl.privacy import marker as M
from complaintctl.rules.context import CheckContext
from complaintctl.rules.finding import Finding


def check(ctx: CheckContext) -> Iterator[Finding]:
    if not ctx.policy.privacy.required:
        return
    try:
        office = parse_case_id(str(ctx.data.get("id"))).office
    except InvalidInput:
        return  # the fields rule names a bad ID
    for path in M.ENCRYPTED_FIELDS:
        problem = M.field_problem(get(ctx.data, path), office)
        if problem is not None:
            yield ctx.finding(path, "R-RT-5", _("protected under privacy.required: {problem}").format(problem=problem))

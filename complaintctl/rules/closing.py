"""R-CL-1 closed loop: no closing without a revisit, and never over a dissatisfied customer."""

from __future__ import annotations

from collections.abc import Iterator

from complaintctl.model.case import get, is_blank
from complaintctl.rules.context import CheckContext
from complaintctl.rules.finding import Finding


def check(ctx: CheckContext) -> Iterator[Finding]:
    if ctx.data.get("status") != "closed":
        return
    satisfaction = get(ctx.data, "revisit.satisfaction")
    if is_blank(satisfaction):
        yield ctx.finding("revisit.satisfaction", "R-CL-1", "a case is closed only after the customer is revisited")
    elif satisfaction == "dissatisfied":
        yield ctx.finding("revisit.satisfaction", "R-CL-1",
                          "the customer is dissatisfied: reopen the case instead of closing it")

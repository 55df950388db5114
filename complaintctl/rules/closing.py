"""R-CL-1 closed loop: no closing without a revisit (but an anonymous complaint, with nobody to
revisit), and never over a dissatisfied customer.
R-RT-6: when the root cause says no written procedure or training covered the matter, the
closing names the procedure or training to create."""

from __future__ import annotations

import re
from collections.abc import Iterator

from complaintctl.i18n import _
from complaintctl.model import fields as F
from complaintctl.model.case import get, is_blank
from complaintctl.rules.context import CheckContext
from complaintctl.rules.finding import Finding
from complaintctl.rules.intake import is_anonymous

# "no written procedure / training covered it", as recorders write it (zh and en).
NO_PROCEDURE = re.compile(
    r"(无|没有|未有|缺乏|缺少|未建立|未制定|没有制定|尚无|无相关)(书面)?(的)?(相关)?(制度|流程|规程|规定|程序|作业指导|操作规范|培训)"
    r"|(制度|流程|规程|程序|培训)(缺失|空白|未覆盖|没有覆盖)|未(经|进行|接受)?(过)?(相关)?培训"
    r"|(?i:no (written )?(procedure|process|training|rule)s?\b"
    r"|not covered by (a |any )?(written )?(procedure|training))")


def check(ctx: CheckContext) -> Iterator[Finding]:
    if ctx.data.get("status") != "closed":
        return
    cause = str(get(ctx.data, F.CLOSING_ROOT_CAUSE) or "")
    if NO_PROCEDURE.search(cause) and is_blank(get(ctx.data, F.CLOSING_PREVENTIVE_ACTION)):
        yield ctx.finding(F.CLOSING_PREVENTIVE_ACTION, "R-RT-6",
                          _("the root cause says no written procedure or training covered the matter: name the "
                            "procedure or training to create (--preventive-action)"))
    satisfaction = get(ctx.data, F.REVISIT_SATISFACTION)
    if is_blank(satisfaction) and is_anonymous(ctx.data):
        return  # R-IN-1: an anonymous complainant left no way to be revisited
    if is_blank(satisfaction):
        yield ctx.finding(F.REVISIT_SATISFACTION, "R-CL-1", _("a case is closed only after the customer is revisited"))
    elif satisfaction == "dissatisfied":
        yield ctx.finding(F.REVISIT_SATISFACTION, "R-CL-1",
                          _("the customer is dissatisfied: reopen the case instead of closing it"))

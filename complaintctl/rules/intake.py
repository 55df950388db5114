"""Who complains (R-IN-1): a contact the office can reach them by — a phone number or an
e-mail address — or, where the policy takes them, an anonymous complaint that says why it
gives neither. Judged when the contact or the anonymity is written (intake, an edit, a
correction, a push), so that a policy changed later never turns old records into findings."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from complaintctl.i18n import _
from complaintctl.model import fields as F
from complaintctl.model.case import get, is_blank
from complaintctl.model.contact import contact_kind
from complaintctl.privacy.marker import ERASED, is_marker
from complaintctl.rules.context import CheckContext
from complaintctl.rules.finding import Finding


def is_anonymous(data: Mapping[str, Any]) -> bool:
    return get(data, F.INTAKE_COMPLAINANT_ANONYMOUS) is True


def contact_problem(contact: str) -> str | None:
    """Why this contact is no way back to the customer (R-IN-1); None when it is one."""
    if contact_kind(contact) is not None:
        return None
    return _("{value!r} is neither a phone number (a mobile, or a landline with its area code) nor an e-mail "
             "address").format(value=contact)


def anonymous_refused() -> str:
    return _("this office takes no anonymous complaints: R-IN-1 asks for the complainant's name and contact "
             "(the policy's `anonymous: true` allows them)")


def check(ctx: CheckContext) -> Iterator[Finding]:
    data, before = ctx.data, ctx.previous or {}
    # Judged as a change is made (the CLI, the hooks: ctx.commit), never over a whole repository
    # (`validate`), whose older records were written under the rules of their day.
    judged = ctx.commit is not None
    contact = get(data, F.INTAKE_COMPLAINANT_CONTACT)
    # R-RT-5: a sealed contact was judged as plaintext where it was typed (the CLI, before
    # sealing); the hooks and the server see only its marker, which is no contact to judge.
    sealed = isinstance(contact, str) and (is_marker(contact) or contact == ERASED)
    if judged and not sealed and not is_blank(contact) and (ctx.previous is None
                                             or get(before, F.INTAKE_COMPLAINANT_CONTACT) != contact):
        problem = contact_problem(str(contact))
        if problem is not None:
            yield ctx.finding(F.INTAKE_COMPLAINANT_CONTACT, "R-IN-1", problem)
    if not is_anonymous(data):
        return
    if judged and (ctx.previous is None or not is_anonymous(before)):
        if not ctx.policy.anonymous:
            yield ctx.finding(F.INTAKE_COMPLAINANT_ANONYMOUS, "R-IN-1", anonymous_refused())
        if is_blank(get(data, F.INTAKE_COMPLAINANT_ANONYMOUS_REASON)):
            yield ctx.finding(F.INTAKE_COMPLAINANT_ANONYMOUS_REASON, "R-IN-1",
                              _("an anonymous complaint says why the complainant gave no name or contact"))
    for field in (F.INTAKE_COMPLAINANT_NAME, F.INTAKE_COMPLAINANT_CONTACT):
        if not is_blank(get(data, field)):
            yield ctx.finding(field, "R-IN-1", _("an anonymous complaint records no name and no contact"))

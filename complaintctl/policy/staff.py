"""Who may be named to do the work on a case: a handler (R-RT-2) or a resolver (R-IN-4) is a
person the policy lists — never a date typed into the wrong option — and a handler works in
the unit the case is dispatched to. One answer for `assign`, `plan` and `list --handler`."""

from __future__ import annotations

from complaintctl.errors import BadValue
from complaintctl.i18n import _
from complaintctl.policy.people_edit import ADD_HINT
from complaintctl.policy.policy import Person, Policy


def _names(people: list[Person] | tuple[Person, ...]) -> str:
    return ", ".join(p.name for p in people) or "-"


def listed(policy: Policy, name: str, option: str) -> Person:
    """The person the policy lists under this name or e-mail, else a usage error (exit 2)
    naming them and listing the people."""
    person = policy.person(name.strip())
    if person is None:
        raise BadValue(_("{option}: {person} is not one of the policy's people ({people}); the admin adds them: "
                         "`{hint}`").format(option=option, person=name,
                                            people=_names([p for p in policy.people if "system" not in p.roles]),
                                            hint=ADD_HINT))
    return person


def unit_members(policy: Policy, unit: str) -> list[Person]:
    return [p for p in policy.people if p.unit == unit and "system" not in p.roles]


def may_handle(policy: Policy, person: Person, unit: str) -> bool:
    """R-RT-1/R-RT-2: the unit's own people handle its cases; senior staff anywhere (R-AS-5
    sends repeats to them); a unit with nobody listed borrows anyone the policy lists."""
    members = unit_members(policy, unit)
    return not members or person in members or bool(set(person.roles) & set(policy.authority.senior_roles))


def handler(policy: Policy, name: str, unit: str, option: str = "--handler") -> Person:
    """The handler for a case dispatched to `unit`, else a usage error (exit 2) listing who may."""
    person = listed(policy, name, option)
    if not may_handle(policy, person, unit):
        who = [p for p in policy.people if may_handle(policy, p, unit) and "system" not in p.roles]
        raise BadValue(_("{option}: {person} works in {their}, not in {unit} (R-RT-1); who may handle its cases: "
                         "{people}").format(option=option, person=person.name,
                                            their=policy.label("units", person.unit),
                                            unit=policy.label("units", unit), people=_names(who)))
    return person

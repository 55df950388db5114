"""How a case stands against the record at a moment: the one word `register`, `due` and
`list --overdue` print for it, and R-DL-6 as the record proves it. Everything here reads
policy.clocks (`state_at`, `judged`); nothing judges a clock itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from complaintctl.model.snapshot import Case
from complaintctl.model.stamp import NO_STAMPS, CaseStamps
from complaintctl.policy import clocks

UPGRADED_TO = "major"  # R-DL-6: a general complaint past its limit becomes major

# The worst first: a case shows the worst verdict among its met clocks (docs/design/recorded-time.md).
ORDER = (clocks.RECORDED_LATE, clocks.OVERDUE, clocks.LATE, clocks.IMPORTED, clocks.VOUCHED, clocks.ON_TIME)


@dataclass(frozen=True)
class Standing:
    """`state`: one of ORDER ("" while no clock is met); `marks`: pending / unstamped, and
    "claimed on time, recorded late" for a clock claimed met by `moment` that the record saw
    only later (its state then: overdue, or still running)."""

    state: str
    marks: tuple[str, ...] = ()

    @property
    def words(self) -> tuple[str, ...]:
        return ((self.state,) if self.state else ()) + self.marks


def standing(case: Case, moment: datetime, stamps: CaseStamps | None) -> Standing:
    """How the case's claims stand against the record's `stamps` at `moment`: the clocks met by
    then, each judged by policy.clocks.judged (a clock still running or overdue that nothing
    claims to have met is the `due` list's business, not this)."""
    found: list[str] = []
    marks: list[str] = []
    for clock in case.clocks:
        verdict = clocks.judged(case, clock, stamps if stamps is not None else NO_STAMPS, moment)
        if verdict is None or verdict.claim > moment:
            continue
        if verdict.done <= moment:
            found.append(verdict.state)
            marks.append(verdict.mark)
        elif verdict.state == clocks.RECORDED_LATE:  # claimed met by then; the record saw it only later
            found.append(clocks.state_at(case, clock, moment, stamps))
            marks.append(clocks.RECORDED_LATE)
    found = [s for s in found if s in ORDER]
    worst = min(found, key=ORDER.index) if found else ""
    return Standing(worst, tuple(m for m in dict.fromkeys(marks) if m and m != worst))


def upgraded(case: Case, moment: datetime, stamps: CaseStamps | None) -> bool:
    """R-DL-6 as the record proves it at `moment`: an `upgrade` entry by then, or a general, valid
    case whose resolution was claimed on time but recorded late (not vouched) by then — counted
    from R. No entry is written for the latter: the validator judges a file by its claims (it
    reads no stamps), so such an entry would be refused as not due."""
    if any(e.action == "upgrade" and e.at is not None and e.at <= moment for e in case.timeline):
        return True
    if case.assessment.severity != "general" or not case.assessment.valid or stamps is None:
        return False
    clock = case.clock("resolution")
    verdict = clocks.judged(case, clock, stamps, moment) if clock is not None else None
    return verdict is not None and verdict.state == clocks.RECORDED_LATE and verdict.done <= moment

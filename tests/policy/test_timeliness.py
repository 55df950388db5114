"""policy.clocks.timeliness: a claim against the record (C, R, D), the one rule every view reads."""

from __future__ import annotations

from datetime import datetime

import pytest

from complaintctl.policy import clocks

D = datetime.fromisoformat("2026-11-20T18:00:00+08:00")  # due Friday 18:00
FRI = datetime.fromisoformat("2026-11-20T17:00:00+08:00")
SAT = datetime.fromisoformat("2026-11-21T09:00:00+08:00")
SUN = datetime.fromisoformat("2026-11-22T10:00:00+08:00")
BEGAN = datetime.fromisoformat("2026-11-01T00:00:00+08:00")


@pytest.mark.parametrize(("claim", "recorded", "vouched", "state", "done", "late"), [
    (FRI, FRI, False, clocks.ON_TIME, FRI, False),          # C ≤ D, R ≤ D
    (FRI, SUN, True, clocks.VOUCHED, FRI, False),           # C ≤ D < R, vouched
    (FRI, SUN, False, clocks.RECORDED_LATE, SUN, True),     # C ≤ D < R: done = R
    (SAT, SUN, True, clocks.LATE, SAT, True),               # C > D: a vouch does not help
])
def test_claim_against_record(claim: datetime, recorded: datetime, vouched: bool, state: str, done: datetime,
                              late: bool) -> None:
    t = clocks.timeliness(claim, recorded, D, vouched, BEGAN)
    assert (t.state, t.done, t.late, t.mark) == (state, done, late, "")


def test_no_stamp_counts_the_claim_and_says_why() -> None:
    pending = clocks.timeliness(FRI, None, D, False, BEGAN)
    assert (pending.state, pending.mark) == (clocks.ON_TIME, clocks.PENDING)
    before = clocks.timeliness(FRI, None, D, False, SUN)  # stamping began after the claim
    assert before.mark == clocks.UNSTAMPED
    assert clocks.timeliness(FRI, None, D, False, None).mark == clocks.UNSTAMPED  # never stamped here

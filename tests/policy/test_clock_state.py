"""policy.clocks.state_at: the one answer to where a clock stands at a moment, which show, due,
list --overdue, the read index, the reports and sweep all ask."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from complaintctl.model.snapshot import Case
from complaintctl.policy import clocks

TZ = timezone(timedelta(hours=8))


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=TZ)


def case(*moves: tuple[datetime, str, str], due: datetime, done: datetime | None = None) -> tuple[Case, Any]:
    timeline = [{"at": at(2), "by": "张敏", "action": "received", "to": "received"}]
    timeline += [{"at": t, "by": "张敏", "action": a, "to": to} for t, a, to in moves]
    data = {"id": "SZ-2611-0001", "status": timeline[-1]["to"], "intake": {"received_at": at(2)},
            "clocks": {"resolution": {"due": due, "done": done}}, "timeline": timeline}
    snap = Case.from_data(data, TZ)
    return snap, snap.clock("resolution")


@pytest.mark.parametrize("moves, done, moment, state", [
    ((), None, at(3), clocks.RUNNING),
    ((), None, at(6), clocks.OVERDUE),
    ((), at(4), at(6), clocks.ON_TIME),
    ((), at(5, 18), at(6), clocks.LATE),
    ((), at(4), at(3), clocks.RUNNING),  # met only later: still running at that moment
    (((at(3), "wait", "waiting"),), None, at(6), clocks.PAUSED),
    (((at(4), "invalid", "invalid"),), None, at(6), clocks.STOPPED_STATE),  # finished before it fell due
    (((at(6), "invalid", "invalid"),), None, at(7), clocks.MISSED),  # fell due while running, never met
    (((at(6), "invalid", "invalid"),), None, at(5, 12), clocks.OVERDUE),  # as it stood before that
])
def test_state_at_a_moment(moves: tuple[tuple[datetime, str, str], ...], done: datetime | None, moment: datetime,
                           state: str) -> None:
    snap, clock = case(*moves, due=at(5), done=done)
    assert clocks.state_at(snap, clock, moment) == state


def test_open_dues_are_the_clocks_still_running() -> None:
    snap, _ = case(due=at(5))
    assert clocks.open_dues(snap) == [("resolution", at(5))]
    assert clocks.open_dues(case((at(3), "wait", "waiting"), due=at(5))[0]) == []  # paused
    assert clocks.open_dues(case(due=at(5), done=at(4))[0]) == []  # met

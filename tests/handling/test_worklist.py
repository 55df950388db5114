"""My work and the board from the read index (handling.worklist): the roles a person has on a
case, a page at a time, soonest clock first."""

from __future__ import annotations

from datetime import timedelta

from complaintctl.handling import worklist
from complaintctl.model import clock
from complaintctl.repo import index
from complaintctl.repo.workspace import open_workspace
from tests.conftest import Office


def test_my_work_pages_through_my_cases_soonest_clock_first(office: Office) -> None:
    ids = [office.new() for _ in range(3)]
    office.run("assign", ids[0], "--handler", "李工", "--unit", "engineering", "--copy", "王建国")
    ws = open_workspace(office.root)
    now = clock.current(ws.policy.tz)
    idx = index.open_index(ws, progress=False)
    try:
        first, more = worklist.my_work(idx, ws.policy, "张敏", now, 0, 2)
        rest, after = worklist.my_work(idx, ws.policy, "张敏", now, 1, 2)
        li, _ = worklist.my_work(idx, ws.policy, "李工", now)
        head, _ = worklist.my_work(idx, ws.policy, "王建国", now)
        nobody, _ = worklist.my_work(idx, ws.policy, "赵磊", now)
        rows, candidates = worklist.board(idx, ws.policy, now, timedelta(days=7), cases=1)
    finally:
        idx.close()
    assert more and not after and len(first) == 2 and len(rest) == 1
    assert {w.record.id for w in first + rest} == set(ids)
    dues = [w.next_clock.due for w in first + rest if w.next_clock]
    assert dues == sorted(dues)
    assert all(w.roles == (worklist.FIRST_RECEIVER,) for w in first + rest if w.record.id != ids[0])
    assert [(w.record.id, w.roles) for w in li] == [(ids[0], (worklist.HANDLER,))]
    assert [(w.record.id, w.roles) for w in head] == [(ids[0], (worklist.COPIED,))]
    assert nobody == []
    assert candidates == 3 and {r.record.id for r in rows} == {rows[0].record.id}  # one case read of three

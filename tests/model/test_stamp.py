"""The note format and entry digests (model/stamp.py): pure functions."""

from __future__ import annotations

from datetime import datetime

from complaintctl.model import stamp as st
from complaintctl.model.case import load_plain

CASE = """id: SZ-2611-0001
timeline:
  - {at: 2026-11-20T09:00:00+08:00, by: 张敏, action: received}
  - {at: 2026-11-20T10:00:00+08:00, by: 张敏, action: note, note: 已联系}
"""


def test_a_digest_survives_reserialisation_and_differs_by_any_value() -> None:
    one = load_plain(CASE, "a")["timeline"]
    again = load_plain(CASE.replace("{at: 2026-11-20T09:00:00+08:00, by: 张敏, action: received}",
                                    "{action: received, by: \"张敏\", at: 2026-11-20 09:00:00+08:00}"), "b")["timeline"]
    assert st.entry_digest(one[0]) == st.entry_digest(again[0])
    assert len(st.entry_digest(one[0])) == 24
    moved = load_plain(CASE.replace("10:00:00", "09:59:00"), "c")["timeline"]
    assert st.entry_digest(moved[1]) != st.entry_digest(one[1])


def test_added_entries_is_a_multiset_difference() -> None:
    a = {"at": "x", "by": "张敏", "action": "note"}
    b = {"at": "y", "by": "张敏", "action": "note"}
    assert st.added_entries([a], [a, a, b]) == {st.entry_digest(a): 1, st.entry_digest(b): 1}
    assert not st.added_entries([a, b], [b, a])  # moved in time order by a merge: nothing new


def test_a_note_round_trips_and_foreign_text_is_no_stamp() -> None:
    note = st.Stamp(datetime.fromisoformat("2026-11-22T18:04:11.532+08:00"), "refs/heads/main", "0" * 40,
                    "zhangmin", (("SZ-2611-0042", "5c0e4b1f9a27d3e8c6b1a0f2", 2),))
    text = st.render(note)
    assert text.splitlines()[:2] == ["complaintctl-received 1", "at 2026-11-22T18:04:11.532+08:00"]
    assert st.parse(text) == note
    assert st.parse("just a note someone wrote") is None
    assert st.parse("complaintctl-received 1\nat 2026-11-22T18:04:11\n") is None  # no zone: refused


def test_the_kth_copy_of_an_entry_gets_the_kth_stamp() -> None:
    a = {"at": "x", "by": "张敏", "action": "note"}
    t1, t2 = datetime.fromisoformat("2026-11-22T10:00:00+08:00"), datetime.fromisoformat("2026-11-23T10:00:00+08:00")
    stamps = st.CaseStamps({st.entry_digest(a): (t1, t2)}, t1)
    assert stamps.of_timeline([a, {"at": "z", "by": "x", "action": "note"}, a]) == [t1, None, t2]

"""Issue 4, pure parts: periods, masking (R-RP-4), the knowledge base, clocks in reports."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from complaintctl.errors import InvalidInput
from complaintctl.model.snapshot import CaseRecord
from complaintctl.policy.calendar import WorkCalendar
from complaintctl.policy.periods import parse_period, parse_week
from complaintctl.policy.policy import parse_policy_text
from complaintctl.reporting import knowledge, reports
from complaintctl.reporting.masking import Masker, masker_for

TZ = ZoneInfo("Asia/Shanghai")
PRESET = Path(__file__).resolve().parents[2] / "templates" / "presets" / "property.yaml"


@pytest.mark.parametrize(("text", "first", "last", "previous"), [
    ("2026-10", date(2026, 10, 1), date(2026, 10, 31), "2026-09"),
    ("2026-01", date(2026, 1, 1), date(2026, 1, 31), "2025-12"),
    ("2026-W43", date(2026, 10, 19), date(2026, 10, 25), "2026-W42"),
    ("2026-W01", date(2025, 12, 29), date(2026, 1, 4), "2025-W52"),
    ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), "2026-Q2"),
    ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), "2025-Q4"),
    ("2026", date(2026, 1, 1), date(2026, 12, 31), "2025"),
    ("2026-10-01..2026-10-15", date(2026, 10, 1), date(2026, 10, 15), "2026-09-16..2026-09-30"),
])
def test_periods(text: str, first: date, last: date, previous: str) -> None:
    p = parse_period(text)
    assert (p.first, p.last, p.previous().label) == (first, last, previous)
    assert p.contains(datetime(first.year, first.month, first.day, 0, 0, tzinfo=TZ), TZ)
    assert not p.contains(p.end(TZ), TZ)


@pytest.mark.parametrize("bad", ["2026-13", "2026-W54", "2026-Q5", "Oct 2026", "2026-10-15..2026-10-01", ""])
def test_bad_periods_are_refused_with_examples(bad: str) -> None:
    with pytest.raises(InvalidInput, match="2026-W43|ends before"):
        parse_period(bad)


def test_register_week_from_a_date() -> None:
    assert parse_week("2026-10-21").label == "2026-W43" and parse_week("2026-w43").first == date(2026, 10, 19)


@pytest.mark.parametrize(("text", "gone"), [
    ("业主王女士(电话13800138000)反映3栋2单元1502室漏水", ["王女士", "13800138000", "3栋", "2单元", "1502"]),
    ("联系电话 138 0013 8000 或 0755-83456789", ["138 0013 8000", "83456789"]),
    ("邮箱 wang.li@example.com", ["wang.li@example.com"]),
    ("住深南大道1001号5号楼12层", ["深南大道1001号", "5号楼", "12层"]),
    ("房号:2301, 门牌 88", ["2301", "88"]),
    ("Mr. John Smith of Room 1502, 12 Baker Street, unit 3B, #1203", ["John", "Smith", "1502", "Baker", "3B", "1203"]),
    ("身份证440301199001011234", ["440301199001011234"]),
    # R-RP-4 (issue 9): room and unit numbers in every common shape, WeChat/QQ, ID cards, landlines
    ("1301房楼上漏水", ["1301"]), ("12-3-1201门口", ["12-3-1201"]), ("3-2-1201的业主", ["3-2-1201"]),
    ("3栋2单元1201室", ["3栋", "2单元", "1201"]), ("加微信 wx_zhang2026 联系", ["wx_zhang2026"]),
    ("微信号:lily-88 QQ号 123456789", ["lily-88", "123456789"]), ("身份证号44030119900101123X", ["44030119900101123X"]),
    ("座机 0755-8888 6666", ["8888 6666"]), ("(020)87654321", ["87654321"]),
])
def test_masking_patterns(text: str, gone: list[str]) -> None:
    masked = Masker()(text)
    for g in gone:
        assert g not in masked, (g, masked)


def test_masking_leaves_ordinary_text_alone() -> None:
    text = "10月3号电梯停运三天，涉及12户，维修用了2天"
    assert Masker()(text) == text
    codes = "P1 楼上漏水, R1 楼道灯不亮, 2026-10-12 已处理"  # location codes and dates are no addresses
    assert Masker()(codes) == codes
    assert Masker()("李先生说") == "李某说"


def test_masking_a_cases_own_complainant_everywhere() -> None:
    data: dict[str, Any] = {"intake": {"complainant": {"name": "欧阳娜娜", "contact": "+86 139-1234-5678",
                                                       "address": "翠竹苑"}, "location": "B座"}}
    mask = masker_for([data])
    out = mask("欧阳娜娜住翠竹苑B座，娜娜说打8613912345678找她")
    for g in ("欧阳娜娜", "翠竹苑", "B座", "13912345678", "娜娜"):
        assert g not in out, out


def test_tokens_cut_chinese_into_bigrams_and_english_into_words() -> None:
    assert knowledge.tokens("电梯故障 Lift fault!") == ["电梯", "梯故", "故障", "lift", "fault"]
    assert knowledge.tokens("水") == ["水"]


def _record(cid: str, **fields: Any) -> CaseRecord:
    data: dict[str, Any] = {
        "id": cid, "status": fields.get("status", "received"),
        "intake": {"received_at": fields.get("received_at", "2026-10-12T10:00:00+08:00"), "channel": "phone",
                   "subject": fields.get("subject", ""), "details": fields.get("details", ""),
                   "complainant": {"name": fields.get("name", "某人"), "contact": fields.get("contact", ""),
                                   "class": "owner"}},
        "assessment": {"category": "other", "severity": "general", "repeat_of": []},
        "routing": {"unit": "engineering"}, "timeline": fields.get("timeline", []),
    }
    for key in ("clocks", "resolution", "closing", "plan"):
        if key in fields:
            data[key] = fields[key]
    return CaseRecord.from_data(data, f"cases/{cid}.yaml")


def test_search_english_and_chinese() -> None:
    recs = [_record("SZ-2610-0001", subject="Water leak in the garage", details="leaking for days"),
            _record("SZ-2610-0002", subject="车库漏水", details="顶板渗水"),
            _record("SZ-2610-0003", subject="噪音扰民")]
    assert [h.id for h in knowledge.search(recs, "LEAK")] == ["SZ-2610-0001"]
    assert [h.id for h in knowledge.search(recs, "漏水")] == ["SZ-2610-0002"]
    assert [h.id for h in knowledge.search(recs, "车库")] == ["SZ-2610-0002"]
    assert knowledge.search(recs, "  ") == []


def test_repeats_by_contact_name_or_subject_and_never_from_the_future() -> None:
    when = datetime(2026, 10, 20, 10, tzinfo=TZ)
    recs = [_record("SZ-2610-0001", contact="138-0013-8000", subject="A"),
            _record("SZ-2610-0002", name="欧阳娜娜", subject="B"),
            _record("SZ-2610-0003", name="王女士", subject="C"),
            _record("SZ-2610-0004", subject="东门道闸无法抬杆"),
            _record("SZ-2610-0005", contact="13800138000", received_at="2026-10-25T10:00:00+08:00")]
    found = knowledge.find_repeats(recs, "欧阳娜娜", "13800138000", "东门道闸无法抬杆了", when)
    assert [(m.id, m.reason) for m in found] == [
        ("SZ-2610-0004", "similar-subject"), ("SZ-2610-0002", "same-name"), ("SZ-2610-0001", "same-contact")]
    assert knowledge.find_repeats(recs, "王女士", "", "D", when) == []  # surname + honorific says too little


def test_clocks_are_judged_at_as_of_and_running_ones_are_not_counted() -> None:
    policy = parse_policy_text(PRESET.read_text(encoding="utf-8"))
    late_open = _record("SZ-2610-0001", clocks={"response": {"due": "2026-10-12T10:05:00+08:00",
                                                             "done": "2026-10-12T10:04:00+08:00"},
                                                "resolution": {"due": "2026-10-14T18:00:00+08:00", "done": None}})
    running = _record("SZ-2610-0002", clocks={"resolution": {"due": "2026-11-30T18:00:00+08:00", "done": None}})
    done_later = _record("SZ-2610-0003", clocks={"resolution": {"due": "2026-10-20T18:00:00+08:00",
                                                                "done": "2026-10-20T09:00:00+08:00"}})
    no_clocks = _record("SZ-2610-0004")
    recs = [late_open, running, done_later, no_clocks]
    as_of = datetime(2026, 10, 16, 12, tzinfo=TZ)
    elapsed = WorkCalendar.from_policy(policy).working_days_between
    r = reports.build_report(recs, parse_period("2026-10"), policy, as_of, elapsed)
    # As of 16 October: 0003's resolution (done on the 20th) is not yet done and not yet due.
    assert {c.clock: (c.on_time, c.late) for c in r.clocks} == {"response": (1, 0), "resolution": (0, 1)}
    assert r.headline.on_time_rate == 0.5 and r.overdue_ids == ("SZ-2610-0001",)
    later = reports.build_report(recs, parse_period("2026-10"), policy, datetime(2026, 12, 1, tzinfo=TZ),
                                 WorkCalendar.from_policy(policy).working_days_between)
    assert {c.clock: (c.on_time, c.late) for c in later.clocks} == {"response": (1, 0), "resolution": (1, 2)}


def test_working_days_elapsed_and_percentile() -> None:
    cal = WorkCalendar.from_policy(parse_policy_text(PRESET.read_text(encoding="utf-8")))
    fri = datetime(2026, 10, 16, 12, tzinfo=TZ)
    assert cal.working_days_between(fri, datetime(2026, 10, 19, 12, tzinfo=TZ)) == pytest.approx(1.0)  # weekend
    assert cal.working_days_between(fri, fri) == 0.0
    assert reports.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == 9
    assert reports.percentile([5], 90) == 5 and reports.percentile([], 90) is None


def test_repeat_check_reads_only_the_last_twelve_months() -> None:
    folders = knowledge.repeat_folders(datetime(2026, 2, 13, tzinfo=TZ))
    assert folders[0] == "cases/2026/02" and folders[-1] == "cases/2025/02" and len(folders) == 13


def test_chart_labels_are_clipped_to_their_column() -> None:
    from complaintctl.reporting.bulletin import Bar

    assert Bar("Disputes between residents", 1, 1.0, "1").short == "Disputes between residen…"
    assert Bar("客户关系协调中心", 1, 1.0, "1").short == "客户关系协调中心"
    assert Bar("一二三四五六七八九十一二三", 1, 1.0, "1").short == "一二三四五六七八九十一二…"


def test_masking_other_peoples_names_by_the_tagger_cached_per_text(tmp_path: Path) -> None:
    """R-RP-4: names of other people in the text — the case's own people, the policy's people,
    and names jieba's tagger finds — with the tagger's answers cached per text."""
    from complaintctl.reporting.masking import CachedNames, JiebaTagger

    calls: list[str] = []
    tagger = JiebaTagger(tmp_path / "jieba")

    def counting(text: str) -> list[tuple[int, int, str]]:
        calls.append(text)
        return tagger(text)

    cache = CachedNames(tmp_path / "names.json", counting)
    data: dict[str, Any] = {"intake": {"complainant": {"name": "王女士"}}, "accused": {"person": "赵六"},
                            "routing": {"handler": "李工"}}
    policy = parse_policy_text(PRESET.read_text(encoding="utf-8"))  # its people include 陈静
    mask = masker_for([data], policy, cache)
    text = "保安张三与邻居李四发生争执，赵六在场，陈静协调，李工维修，物业服务中心回访"
    masked = mask(text)
    for name in ("张三", "李四", "赵六", "陈静", "李工"):
        assert name not in masked, masked
    assert "保安" in masked and "争执" in masked and "物业服务中心回访" in masked
    cache.save()
    again = CachedNames(tmp_path / "names.json", counting)
    assert masker_for([data], policy, again)(text) == masked
    assert len(calls) == 1  # the second run read the cache: the tagger was not asked again

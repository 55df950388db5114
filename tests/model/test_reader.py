"""The strict case reader (model/reader.py) reads what ruamel writes exactly as ruamel reads it,
and refuses the rest with a line number."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from complaintctl.errors import UnreadableCase
from complaintctl.model.case import decode, dump_document, load_document, load_plain
from complaintctl.model.reader import Limits

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = sorted((ROOT / "cases").rglob("*.yaml"))


def test_the_sample_office_reads_as_ruamel_reads_it() -> None:
    safe = YAML(typ="safe", pure=True)
    assert len(SAMPLE) >= 300
    for path in SAMPLE:
        text = path.read_text(encoding="utf-8")
        assert load_plain(text, str(path)) == safe.load(text), path


def test_a_time_used_twice_is_written_twice_not_as_an_alias() -> None:
    doc = load_document(SAMPLE[0].read_text(encoding="utf-8"), "x")
    moment = datetime.fromisoformat("2026-10-01T10:00:00+08:00")
    doc["intake"]["received_at"] = moment
    doc["intake"]["recorded_at"] = moment
    text = dump_document(doc)
    assert "&" not in text.split("timeline:")[0]
    data = load_plain(text, "x")
    assert data["intake"]["received_at"] == data["intake"]["recorded_at"] == moment
    assert "address:\n" in text or "address: " in text  # None stays ruamel's empty style
    assert "null" not in text


@pytest.mark.parametrize("text, line, says", [
    ("a: 1\nb:\n  c: 2026-02-30\n", 3, "not a real date"),
    ("a: [1, 2]\nb: &x 1\n", 2, "anchors (&x)"),
    ("timeline:\n  - at: 2026-11-20 09:00:00+08:00\n  - at: soon\n", 3, "timeline[1].at"),
    ("x: '\\x07'\ny: \"\\a\"\n", 2, "control characters"),
    ("a: 12345678901234567890123456789012345\n", 1, "too long"),
    ("a: 2026-11-20 09:00:00-14:30\n", 1, "does not exist"),
])
def test_refusals_name_the_line(text: str, line: int, says: str) -> None:
    with pytest.raises(UnreadableCase) as err:
        load_plain(text, "cases/x.yaml")
    assert f"line {line}: " in str(err.value) and says in str(err.value), str(err.value)


def test_limits_bound_size_depth_and_timeline() -> None:
    small = Limits(max_bytes=100, max_depth=3, max_timeline=2)
    with pytest.raises(UnreadableCase, match="larger than 100 bytes"):
        load_plain("a: " + "x" * 200, "f", small)
    with pytest.raises(UnreadableCase, match="nested deeper than 3"):
        load_plain("a: [[[1]]]\n", "f", small)
    with pytest.raises(UnreadableCase, match="more than 2 timeline entries"):
        load_plain("timeline: [{}, {}, {}]\n", "f", small)
    assert load_plain("a: [[1]]\ntimeline: [{}, {}]\n", "f", small) == {"a": [[1]], "timeline": [{}, {}]}


@pytest.mark.parametrize("data, says", [
    ("状态: 中文\n".encode("gbk"), "line 1: not UTF-8"),
    ("a: b\n".encode("utf-16"), "UTF-16"),
    (b"a: 1\nb: \xff\n", "line 2: not UTF-8 (bytes ff"),
])
def test_encodings_other_than_utf8_are_named(data: bytes, says: str) -> None:
    with pytest.raises(UnreadableCase) as err:
        decode(data, "cases/x.yaml")
    assert says in str(err.value)


def test_yaml_1_2_scalars_as_ruamel_reads_them() -> None:
    text = "a: yes\nb: 0o17\nc: 0x1F\nd: 1_000\ne: ~\nf: 2026-11-20\ng: '2026-02-30'\nh: 2026-1-1\ni: +.5\n"
    assert load_plain(text, "f") == YAML(typ="safe", pure=True).load(text)


@pytest.mark.parametrize("depth", [17, 999, 1_001, 20_000])
def test_deep_flow_nesting_is_refused_in_the_readers_words_whatever_the_parser(depth: int) -> None:
    # libyaml stops very deep flow nesting itself (its own words, which differ between
    # releases); the refusal must be the reader's limit either way.
    text = "id: SZ-2611-0001\ndeep: " + "[ " * depth + "]" * depth + "\n"
    with pytest.raises(UnreadableCase) as err:
        load_plain(text, "deep.yaml")
    assert "line 2: nested deeper than 16 levels" in str(err.value), str(err.value)


def test_brackets_inside_text_are_text_not_nesting() -> None:
    text = 'id: SZ-2611-0001\nnote: "' + "[" * 40 + '"\n'
    from complaintctl.model import reader
    assert reader.parse(text)["note"] == "[" * 40

"""The sample's fast YAML writer writes exactly ruamel's round-trip dump (issue 12): over
generated cases of every preset, at every step of their history, and for awkward texts."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from complaintctl.model.case import dump_document
from complaintctl.policy.policy import parse_policy_text
from complaintctl.repo.office import policy_text
from complaintctl.sample import fastyaml, generator


@pytest.mark.parametrize("preset", ["property", "realestate", "hotel"])
def test_every_version_of_every_generated_case(preset: str) -> None:
    policy = parse_policy_text(policy_text(preset, "SZ", None, None))
    spec = generator.SampleSpec(7, 150, date(2026, 1, 1), date(2026, 6, 30))
    fast = list(generator.generate(policy, spec, versions=True, dump=fastyaml.dump_document))
    slow = list(generator.generate(policy, spec, versions=True, dump=dump_document))  # ruamel, same seed
    compared = 0
    for f, s in zip(fast, slow, strict=True):
        assert len(f.versions) == len(s.versions)
        for a, b in zip(f.versions, s.versions, strict=True):
            assert a.text == b.text, f.case_id
            assert (a.at, a.name, a.message) == (b.at, b.name, b.message)
            compared += 1
        assert f.doc is not None and fastyaml.dump(f.doc) == dump_document(f.doc)
    assert compared > 150 * 3  # several steps per case


def test_awkward_texts_are_quoted_like_ruamel() -> None:
    tz = timezone(timedelta(hours=8))
    texts = ["13948440700", "yes", "No", "null", "", " lead", "a: b", "0123", "1.5", "2026-05-01", "a #b",
             "#x", "-x", "漏水", "NULL", "True", "~", "=", "<<", "0x1F", ".inf", "12:30", "a'b", '"q"', "@x",
             "中文: 冒号", "中文:冒号", "2栋4单元1003", "é", "x]", "a,b", "- 列表", "结尾:", "结尾 ", "SZ-2611-0001"]
    doc = CommentedMap()
    doc["texts"] = CommentedSeq(texts)
    doc["map"] = CommentedMap((f"k{i}", t) for i, t in enumerate(texts))
    doc["numbers"] = CommentedMap(a=1, b=0.5, c=100.0, d=True, e=None, f=date(2026, 1, 2),
                                  g=datetime(2026, 1, 2, 3, 4, 5, tzinfo=tz))
    doc["empty"] = CommentedMap(seq=CommentedSeq(), map=CommentedMap())
    assert fastyaml.dump(doc) == dump_document(doc)


def test_what_it_cannot_promise_goes_to_ruamel() -> None:
    doc = CommentedMap()
    shared = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=8)))
    doc["a"], doc["b"] = shared, shared  # ruamel writes an anchor and an alias
    assert fastyaml.dump(doc) is None
    long = CommentedMap(text="word " * 40)  # would fold at the width
    assert fastyaml.dump(long) is None
    for d in (doc, long):
        assert fastyaml.dump_document(d) == dump_document(d)

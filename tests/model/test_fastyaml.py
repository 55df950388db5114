"""The sample's fast YAML writer writes exactly ruamel's round-trip dump: over
generated cases of every preset, at every step of their history, and for awkward texts."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from complaintctl.model import fastyaml
from complaintctl.model.case import load_document, load_plain, ruamel_dump
from complaintctl.policy.policy import parse_policy_text
from complaintctl.repo.office import policy_text
from complaintctl.sample import generator


@pytest.mark.parametrize("preset", ["property", "realestate", "hotel"])
def test_every_version_of_every_generated_case(preset: str) -> None:
    policy = parse_policy_text(policy_text(preset, "SZ", None, None))
    spec = generator.SampleSpec(7, 80, date(2026, 1, 1), date(2026, 6, 30))
    fast = list(generator.generate(policy, spec, versions=True, dump=fastyaml.dump_document))
    slow = list(generator.generate(policy, spec, versions=True, dump=ruamel_dump))  # ruamel, same seed
    compared = 0
    for f, s in zip(fast, slow, strict=True):
        assert len(f.versions) == len(s.versions)
        for a, b in zip(f.versions, s.versions, strict=True):
            assert a.text == b.text, f.case_id
            assert (a.at, a.name, a.message) == (b.at, b.name, b.message)
            compared += 1
        assert f.doc is not None and fastyaml.dump(f.doc) == ruamel_dump(f.doc)
    assert compared > 80 * 3  # several steps per case


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
    assert fastyaml.dump(doc) == ruamel_dump(doc)


def test_what_it_cannot_promise_goes_to_ruamel() -> None:
    doc = CommentedMap()
    shared = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=8)))
    doc["a"], doc["b"] = shared, shared  # ruamel writes an anchor and an alias
    assert fastyaml.dump(doc) is None
    long = CommentedMap(text="word " * 40)  # would fold at the width
    assert fastyaml.dump(long) is None
    for d in (doc, long):
        assert fastyaml.dump_document(d) == ruamel_dump(d)


# --- reading: rebuild, the round-trip document from the strict reader's data ----------------

def _ruamel_load(text: str) -> CommentedMap:
    from complaintctl.model.case import _yaml_rt

    doc = _yaml_rt().load(text)
    assert isinstance(doc, CommentedMap)
    return doc


@pytest.mark.parametrize("preset", ["property", "hotel"])
def test_rebuilt_documents_change_and_write_back_exactly_as_ruamels(preset: str) -> None:
    """Every version of generated cases: the rebuilt document writes the file's bytes, and a
    step applied to it writes the same data the same step gives on ruamel's own load, with
    every comment of the file kept (ruamel's load loses a section comment it had hung on a
    value the step rewrites; the rebuilt document keeps it)."""
    from complaintctl.handling import steps
    from complaintctl.repo.git import Identity

    policy = parse_policy_text(policy_text(preset, "SZ", None, None))
    spec = generator.SampleSpec(11, 30, date(2026, 1, 1), date(2026, 6, 30))
    actor = Identity("张敏", "zhangmin@example.com")
    checked = 0
    for case in generator.generate(policy, spec, versions=True, dump=fastyaml.dump_document):
        for version in case.versions:
            rebuilt = fastyaml.rebuild(version.text, load_plain(version.text, case.relpath))
            assert rebuilt is not None, case.case_id
            assert ruamel_dump(rebuilt) == version.text
            slow = _ruamel_load(version.text)
            at = version.at + timedelta(minutes=5)
            for doc in (rebuilt, slow):
                steps.apply(doc, steps.note("回电客户,约定明早上门", True)(doc), at, actor, policy)
            fast_text = fastyaml.dump_document(rebuilt)
            assert load_plain(fast_text, case.relpath) == load_plain(ruamel_dump(slow), case.relpath)
            comments = [line for line in version.text.splitlines() if line.lstrip().startswith("#")]
            assert [line for line in fast_text.splitlines() if line.lstrip().startswith("#")] == comments
            checked += 1
    assert checked > 30 * 3


HAND_MADE = [  # (why, line to change, what it becomes; SUBJECT is the case's subject)
    ("a comment inside a section", "  subject: SUBJECT\n", "  # 客户来电两次\n  subject: SUBJECT\n"),
    ("a quoting style ruamel keeps", "  subject: SUBJECT\n", "  subject: \"SUBJECT\"\n"),
    ("a comment after the last key", None, "# 备注\n"),
    ("a comment without a space", "\nassessment:\n", "\n#说明\nassessment:\n"),
]


@pytest.mark.parametrize(("why", "old", "new"), HAND_MADE, ids=[h[0] for h in HAND_MADE])
def test_what_rebuild_cannot_promise_is_loaded_by_ruamel(why: str, old: str | None, new: str) -> None:
    policy = parse_policy_text(policy_text("property", "SZ", None, None))
    spec = generator.SampleSpec(3, 1, date(2026, 1, 1), date(2026, 1, 31))
    [case] = generator.generate(policy, spec, versions=False, dump=fastyaml.dump_document)
    subject = load_plain(case.text, case.relpath)["intake"]["subject"]
    old, new = (None if old is None else old.replace("SUBJECT", subject)), new.replace("SUBJECT", subject)
    text = case.text + new if old is None else case.text.replace(old, new, 1)
    assert text != case.text, why
    assert fastyaml.rebuild(text, load_plain(text, case.relpath)) is None
    doc = load_document(text, case.relpath)  # ruamel's load: the hand-made file survives
    written = fastyaml.dump_document(doc)
    assert load_plain(written, case.relpath) == load_plain(text, case.relpath)
    assert [ln for ln in written.splitlines() if "#" in ln] == [ln for ln in text.splitlines() if "#" in ln]


def test_long_texts_with_spaces_are_written_as_ruamel_writes_them_at_their_column() -> None:
    """Whether ruamel folds a long text depends on where it starts: at the top, in a section,
    in a timeline entry — each rendered at its own column, never guessed."""
    words = ["R-DL-6: a general complaint past its time limit becomes major",
             "word " * 15 + "end", "x" * 70 + " y", "客户 " * 30]
    doc = CommentedMap()
    doc["top"] = words[0]
    doc["section"] = CommentedMap(note=words[1], deeper=CommentedMap(note=words[2]))
    doc["timeline"] = CommentedSeq([CommentedMap(at="x", note=w) for w in words] + words)
    fast = fastyaml.dump(doc)
    if fast is not None:
        assert fast == ruamel_dump(doc)
    assert fastyaml.dump_document(doc) == ruamel_dump(doc)
    short = CommentedMap(note=words[0], entries=CommentedSeq([CommentedMap(note=words[0])]))
    assert fastyaml.dump(short) == ruamel_dump(short)  # fits the width: written fast

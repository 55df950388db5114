"""`validate` keeps verdicts per (path, blob, policy, code) — and a warm run says exactly what a
cold one says (issue 12), whatever the time, the policy or the files."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from complaintctl.model.case import load_plain, to_plain
from complaintctl.policy.policy import parse_policy_text
from complaintctl.repo import cache
from complaintctl.repo.check import verdict_context
from complaintctl.repo.workspace import open_workspace
from complaintctl.rules.dates import CLOCK_SKEW
from complaintctl.rules.validate import check_case, settled_after
from tests.conftest import SRC, Office

NOW = "2026-04-02T10:00:00+08:00"


def drop_cache(office: Office) -> None:
    for p in (office.root / ".git" / "complaintctl").glob("index.sqlite*"):
        p.unlink()


def cold_and_warm(office: Office) -> str:
    drop_cache(office)
    cold = office.run("validate", ok=False).output
    warm = office.run("validate", ok=False).output
    assert warm == cold
    return warm


def test_rules_read_now_only_for_moments_of_the_case() -> None:
    """The contract the cache relies on: past settled_after, a verdict no longer changes."""
    policy = parse_policy_text((SRC / "complaintctl.yaml").read_text(encoding="utf-8"))
    for path in sorted((SRC / "cases").rglob("*.yaml"))[::3]:
        rel = str(path.relative_to(SRC))
        data = to_plain(load_plain(path.read_text(encoding="utf-8"), rel))
        settled = settled_after(data)
        assert settled is not None
        at_settled = check_case(rel, data, None, policy, settled - CLOCK_SKEW)
        assert at_settled == check_case(rel, data, None, policy, settled + timedelta(days=3650)), rel


@pytest.fixture
def sampled(office: Office, monkeypatch: pytest.MonkeyPatch) -> Office:
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    office.run("sample", "--count", "30", "--seed", "8", "--since", "2026-01-01", "--until", "2026-03-31",
               "--no-verify")
    return office


def test_warm_validate_says_what_a_cold_one_says(sampled: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    office = sampled
    assert cold_and_warm(office).strip() == "30 个案件文件全部有效"
    # a committed file that breaks a rule (pushed past the hook)
    path = sorted((office.root / "cases").rglob("*.yaml"))[2]
    path.write_text(path.read_text(encoding="utf-8").replace("status: ", "status: bogus-", 1), encoding="utf-8")
    office.git("commit", "-qam", "broken", "--no-verify")
    out = cold_and_warm(office)
    assert "R-WF" in out and "(共检查 30 个)" in out
    # the policy changes: the verdicts kept under the old policy no longer hold
    policy = office.root / "complaintctl.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("  phone:", "  telephone:", 1), encoding="utf-8")
    office.git("commit", "-qam", "policy: phone renamed", "--no-verify")
    office.run("validate", ok=False)  # warm, under the new policy
    assert "R-DEF-4" in cold_and_warm(office)


def test_a_moment_in_the_future_is_judged_at_every_run(sampled: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    office = sampled
    path = sorted((office.root / "cases").rglob("*.yaml"))[0]
    text = path.read_text(encoding="utf-8")
    data = load_plain(text, path.name)
    last = str(data["timeline"][-1]["at"]).replace("T", " ")
    assert last in text
    future = "2026-06-01 10:00:00+08:00"
    path.write_text(text.replace(last, future), encoding="utf-8")
    office.git("commit", "-qam", "a step dated in June", "--no-verify")
    for now, expect in (("2026-04-02T10:00:00+08:00", True), ("2026-07-01T10:00:00+08:00", False),
                        ("2026-04-02T10:00:00+08:00", True), ("2026-07-01T10:00:00+08:00", False)):
        monkeypatch.setenv("COMPLAINTCTL_NOW", now)
        out = office.run("validate", ok=False).output
        assert ("在将来" in out) is expect, (now, out)


def test_the_verdict_context_follows_policy_and_code(sampled: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = open_workspace(sampled.root)
    before = verdict_context(ws)
    monkeypatch.setattr(cache, "code_version", lambda: "another-version")
    assert verdict_context(ws) != before
    assert isinstance(datetime.now(), datetime) and isinstance(Path(), Path)


def test_the_code_version_is_kept_under_the_files_stamp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The digest of the source is read from its memo while no file's size or time changed,
    and computed afresh (a new memo) as soon as one did."""
    package = tmp_path / "pkg"
    (package / "rules").mkdir(parents=True)
    (package / "rules" / "a.py").write_text("A = 1\n", encoding="utf-8")
    (package / "b.mo").write_bytes(b"catalog")
    monkeypatch.setattr(cache, "_PACKAGE", package)
    cache.code_version.cache_clear()
    first = cache.code_version()
    (memo,) = (package / "__pycache__").glob("code-version-*")
    memo.write_text("0123456789abcdef", encoding="ascii")  # what a later process finds there
    cache.code_version.cache_clear()
    assert cache.code_version() == "0123456789abcdef"
    (package / "rules" / "a.py").write_text("A = 22\n", encoding="utf-8")  # a rule changed
    cache.code_version.cache_clear()
    second = cache.code_version()
    assert second not in (first, "0123456789abcdef")
    assert [p.name for p in (package / "__pycache__").glob("code-version-*")] != [memo.name]
    cache.code_version.cache_clear()

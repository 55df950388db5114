"""The sample generator and `complaintctl sample`: deterministic, valid, realistic, safe to re-run."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from complaintctl.cli import cli
from complaintctl.model.case import dump_document, get, load_plain
from complaintctl.policy.policy import Category, Policy, parse_policy_text
from complaintctl.repo.office import policy_text, presets
from complaintctl.rules.recusal import DECISIONS
from complaintctl.rules.validate import check_case
from complaintctl.sample.generator import SampleSpec, category_for, generate
from complaintctl.sample.texts import KINDS
from tests.conftest import SRC, Office, set_identity

NOW = "2026-04-02T09:00:00+08:00"
SPEC = SampleSpec(seed=11, count=400, since=date(2026, 1, 1), until=date(2026, 3, 31))


@cache
def policy() -> Policy:
    return parse_policy_text(policy_text("property", "SZ", "示例物业服务中心", None))


@cache
def generated() -> dict[str, dict[str, Any]]:
    """The sample as the files will hold it: dumped and read back."""
    return {c.case_id: load_plain(dump_document(c.doc), c.relpath) for c in generate(policy(), SPEC)}


def texts(seed: int) -> list[str]:
    return [dump_document(c.doc) for c in generate(policy(), dataclasses.replace(SPEC, seed=seed, count=60))]


def test_same_seed_same_files_other_seed_other_files() -> None:
    assert texts(5) == texts(5)
    assert texts(5) != texts(6)


def test_every_generated_case_passes_the_shared_validator() -> None:
    end = datetime.fromisoformat("2026-04-01T00:00:00+08:00")
    for cid, data in generated().items():
        path = f"cases/{data['intake']['received_at']:%Y/%m}/{cid}.yaml"
        assert check_case(path, data, None, policy(), end) == [], cid
        assert all(e["at"] < end for e in data["timeline"]), cid  # nothing after --until


def test_lifecycle_mix_is_present() -> None:
    cases = generated().values()
    statuses = Counter(d["status"] for d in cases)
    assert set(statuses) == {"received", "assigned", "in_progress", "waiting", "resolved", "closed", "invalid"}
    assert statuses["closed"] > len(cases) / 3
    actions = [[e["action"] for e in d["timeline"]] for d in cases]
    assert any("reopen" in a and a[-1] == "close" for a in actions)  # reopened, then closed
    assert any("resume" in a for a in actions) and any("contact" in a for a in actions)
    revisits = [[e.get("satisfaction") for e in d["timeline"] if e["action"] == "revisit"] for d in cases]
    assert any(r[:1] == ["dissatisfied"] and len(r) == 2 for r in revisits)  # R-CL-1 closed loop
    closed = [d for d in cases if d["status"] == "closed"]
    assert all(d["closing"]["root_cause"] and d["closing"]["lesson"] for d in closed)
    assert all(d["revisit"]["satisfaction"] != "dissatisfied" for d in closed)
    assert len({d["intake"]["complainant"]["name"] for d in cases}) > 100
    assert len({d["intake"]["subject"] for d in cases}) > 30
    assert Counter(d["assessment"]["severity"] for d in cases)["major"] > 0


def test_repeats_link_an_earlier_case_of_the_same_complainant() -> None:
    cases = generated()
    repeats = [d for d in cases.values() if d["assessment"]["repeat_of"]]
    assert len(repeats) > 10  # R-AS-5
    for d in repeats:
        assert d["assessment"]["repeat"] is True
        for earlier_id in d["assessment"]["repeat_of"]:
            earlier = cases[earlier_id]
            assert earlier["intake"]["received_at"] < d["intake"]["received_at"]
            assert earlier["intake"]["complainant"] == d["intake"]["complainant"]


def test_the_accused_never_handles_resolves_decides_or_closes() -> None:
    accused_cases = [d for d in generated().values() if get(d, "accused.person")]
    assert len(accused_cases) > 5
    for d in accused_cases:
        accused = d["accused"]["person"]
        for field in ("routing.handler", "plan.resolver", "resolution.by", "closing.by", "assessment.decided_by"):
            assert get(d, field) != accused, (d["id"], field)  # R-RT-3
        assert all(e["by"] != accused for e in d["timeline"] if e["action"] in DECISIONS), d["id"]


def test_categories_follow_the_policy_with_a_fallback() -> None:
    pol = policy()
    assert {category_for(k, pol) for k in KINDS} >= {"work-efficiency", "staff-conduct", "resident-disputes",
                                                     "developer-related", "management-responsibility"}
    unit = pol.default_unit
    odd = dataclasses.replace(pol, categories={"first": Category("first", "甲", "First", unit),
                                               "other": Category("other", "其他", "Other", unit)})
    assert {category_for(k, odd) for k in KINDS} == {"other"}
    bare = dataclasses.replace(pol, categories={"only": Category("only", "甲", "Only", unit)})
    assert {category_for(k, bare) for k in KINDS} == {"only"}
    cases = list(generate(odd, dataclasses.replace(SPEC, count=30)))
    assert {c.doc["assessment"]["category"] for c in cases} == {"other"}


@pytest.mark.parametrize("preset", presets())
def test_every_preset_gets_valid_cases_in_its_own_categories(preset: str) -> None:
    pol = parse_policy_text(policy_text(preset, "SZ", None, None))
    spec = dataclasses.replace(SPEC, count=40)
    end = datetime.fromisoformat("2026-04-01T00:00:00+08:00")
    for c in generate(pol, spec):
        data = load_plain(dump_document(c.doc), c.relpath)
        assert check_case(c.relpath, data, None, pol, end) == [], c.case_id
        assert data["assessment"]["category"] in pol.categories
        people = {p.name for p in pol.people}
        assert {e["by"] for e in data["timeline"]} <= people


def sample(office: Office, *args: str, ok: bool = True) -> str:
    result = office.run("sample", "--since", "2026-01-01", "--until", "2026-03-31", *args, ok=ok)
    return result.output


def case_files(office: Office) -> dict[str, str]:
    return {str(p.relative_to(office.root)): p.read_text(encoding="utf-8")
            for p in sorted((office.root / "cases").rglob("*.yaml"))}


def test_sample_command_commits_valid_cases(office: Office,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    out = sample(office, "--count", "90", "--seed", "4", "--batch-size", "40")
    assert "已写入 90 件示例案件,共 3 个提交" in out
    assert len(case_files(office)) == 90
    log = office.git("log", "--format=%s", "-3").stdout.splitlines()
    assert all(s.startswith("sample: ") for s in log)
    assert office.git("status", "--porcelain").stdout == ""
    assert office.run("validate").stdout.strip() == "90 个案件文件全部有效"
    # the read path sees them
    listed = office.run("list", "--status", "closed", "--json").output
    assert '"status": "closed"' in listed


def test_sample_refuses_to_overwrite_and_leaves_the_repo_unchanged(office: Office,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    sample(office, "--count", "30", "--seed", "1", "--no-verify")
    head, before = office.git("rev-parse", "HEAD").stdout, case_files(office)
    result = office.run("sample", "--count", "30", "--seed", "2", "--since", "2026-03-01",
                        "--until", "2026-03-31", "--no-verify", ok=False)
    assert result.exit_code == 1 and "already exist" in result.output and "--replace" in result.output
    assert office.git("rev-parse", "HEAD").stdout == head and case_files(office) == before
    assert office.git("status", "--porcelain").stdout == ""
    # --replace regenerates the range; the same seed again changes nothing at all
    sample(office, "--count", "20", "--seed", "2", "--replace", "--no-verify")
    assert len(case_files(office)) == 20 and case_files(office) != before
    head = office.git("rev-parse", "HEAD").stdout
    assert "无需提交" in sample(office, "--count", "20", "--seed", "2", "--replace", "--no-verify")
    assert office.git("rev-parse", "HEAD").stdout == head
    assert office.run("validate").exit_code == 0


def test_sample_refuses_the_future_and_cleans_up_a_refused_commit(office: Office,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-03-15T09:00:00+08:00")
    result = office.run("sample", "--count", "5", "--since", "2026-03-01", "--until", "2026-03-31", ok=False)
    assert result.exit_code == 1 and "future" in result.output and "R-IN-1" in result.output
    # The sample skips pre-commit (a generated history is not one committer's); a hook that
    # --no-verify does not skip makes the commit fail.
    hook = office.root / ".git" / "hooks" / "prepare-commit-msg"
    hook.write_text("#!/bin/sh\necho refused by policy >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    head = office.git("rev-parse", "HEAD").stdout
    result = office.run("sample", "--count", "5", "--since", "2026-03-01", "--until", "2026-03-10", ok=False)
    assert result.exit_code == 1 and "not committed" in result.output
    assert office.git("rev-parse", "HEAD").stdout == head
    assert case_files(office) == {}
    assert office.git("status", "--porcelain").stdout.strip() == ""


def test_dissatisfied_revisit_then_resolve_again_and_close(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    # R-CL-1 closed loop through the CLI: the second resolution replaces the stale revisit.
    case_id = office.new()
    office.run("assign", case_id, "--handler", "李工")
    set_identity(monkeypatch, "李工", "ligong@example.com")
    office.run("plan", case_id, "--resolver", "李工", "--measures", "更换主板", "--due", office.soon(case_id))
    office.run("resolve", case_id, "--outcome", "repair", "--summary", "已更换主板")
    set_identity(monkeypatch, "张敏", "zhangmin@example.com")
    office.run("revisit", case_id, "--satisfaction", "dissatisfied", "--comment", "仍有异响")
    set_identity(monkeypatch, "李工", "ligong@example.com")
    office.run("resolve", case_id, "--outcome", "repair", "--summary", "已更换导靴,异响消除")
    set_identity(monkeypatch, "张敏", "zhangmin@example.com")
    office.run("revisit", case_id, "--satisfaction", "satisfied")
    office.run("close", case_id, "--root-cause", "导靴磨损")
    assert "status: closed" in office.path(case_id).read_text(encoding="utf-8")
    assert office.run("validate").exit_code == 0


def test_the_project_repository_is_a_valid_case_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    root = Path(SRC)
    if not (root / ".git").exists():
        pytest.skip("not a git checkout (e.g. an unpacked sdist)")
    monkeypatch.setenv("COMPLAINTCTL_NOW", "2026-11-15T12:00:00+08:00")
    result = CliRunner().invoke(cli, ["-C", str(root), "validate"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    count = int(result.stdout.split()[0])
    assert count >= 300
    assert (root / "complaintctl.yaml").is_file()
    assert sorted(p.name for p in (root / "cases" / "2026").iterdir())[-1] == "10"


def test_a_clone_of_the_project_repository_is_an_office_with_its_register(tmp_path: Path) -> None:
    """The README's quick start on a fresh clone: several people in the per-person table, each
    step of a case its own commit by its actor (`git log -- cases` follows the sample's own
    history, not the code's), and the sample's steps never read as recorded late."""
    import subprocess
    import sys

    if not (Path(SRC) / ".git").exists():
        pytest.skip("not a git checkout (e.g. an unpacked sdist)")
    repo = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(SRC), str(repo)], check=True, capture_output=True, timeout=120)

    def run(*args: str) -> str:
        proc = subprocess.run([sys.executable, "-m", "complaintctl", "-C", str(repo), *args],
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    report = json.loads(run("report", "--period", "2026-10", "--json"))
    people = {p["name"]: p for p in report["people"]}
    listed = {p.name for p in parse_policy_text((repo / "complaintctl.yaml").read_text(encoding="utf-8")).people}
    assert len(people) >= 5 and set(people) <= listed
    assert sum(p["received"] for p in people.values()) > 0 and sum(p["closed"] for p in people.values()) > 0
    assert report["recorded_late_ids"] == []  # history from before stamping began: judged by its claims
    # its upgrades are entries in the files (sweep's), never claims against the record (R-DL-6)
    assert report["upgraded_ids"] == [] and report["headline"]["received"] > 0
    path = "cases/2026/10/SZ-2610-0001.yaml"
    log = subprocess.run(["git", "-C", str(repo), "log", "--format=%an%x1f%aI%x1f%cn%x1f"
                          "%(trailers:key=Case,valueonly,separator=%x2C)%x1e", "--", path],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    rows = [r.strip("\n").split("\x1f") for r in log.split("\x1e") if r.strip()]
    data = load_plain((repo / path).read_text(encoding="utf-8"), path)
    steps = [(e["by"], e["at"]) for i, e in enumerate(data["timeline"])
             if not (e["action"] == "upgrade" and data["timeline"][i + 1]["at"] == e["at"])]  # R-DL-6
    assert sorted((an, datetime.fromisoformat(at)) for an, at, cn, case in rows if an == cn
                  and case == "SZ-2610-0001") == sorted(steps)  # every commit is one step, by its actor
    assert len(rows) == len(steps)


def test_read_path_cold_and_warm_over_a_sample(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    # Enough cases for the cold cache fill to use its process pool (index.PARALLEL_AT).
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    sample(office, "--count", "240", "--seed", "9", "--no-verify")
    broken = sorted((office.root / "cases").rglob("*.yaml"))[7]
    broken.write_text("id: [unclosed\n", encoding="utf-8")
    office.git("commit", "-qam", "broken on purpose", "--no-verify")
    edited = sorted((office.root / "cases").rglob("*.yaml"))[8]
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("subject: ", "subject: 改过的", 1), encoding="utf-8")  # not committed
    cache = office.root / ".git" / "complaintctl" / "index.sqlite"
    outputs = []
    for _ in ("cold", "warm"):
        listed = office.run("list", "--json").output
        result = office.run("validate", ok=False)
        outputs.append((listed, result.output))
        assert cache.is_file()
    assert outputs[0] == outputs[1]
    listed, checked = outputs[0]
    assert listed.count('"id"') == 239  # the broken file is not a record
    assert '"subject": "改过的' in listed  # the working tree, not the cached blob
    assert f"{broken.relative_to(office.root)}: (file): R-WF" in checked
    # the uncommitted subject change has no `edit` entry: the ledger refuses it (issue 9)
    assert f"{edited.relative_to(office.root)}: intake.subject: R-IN-1: 已被修改" in checked
    archived = "\nstatus: closed" in text  # a closed case also says R-CL-3 (archived)
    assert f"2 个案件文件中有 {2 + archived} 项问题(共检查 240 个)" in checked, checked


def test_case_files_with_flow_style_timestamps_still_load() -> None:
    # libyaml's fast parser refuses ':' inside a flow scalar; the pure parser takes over.
    data = load_plain("clocks:\n  response: {due: 2026-11-23 10:05:00+08:00, done: null}\n", "x.yaml")
    assert data["clocks"]["response"]["due"] == datetime.fromisoformat("2026-11-23T10:05:00+08:00")


# --- issue 12: parallel chunks and the multi-person history -------------------------------------

def test_cases_do_not_depend_on_the_number_of_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    from complaintctl.sample import generator

    monkeypatch.setattr(generator, "CHUNK", 25)  # several chunks from a small sample
    spec = dataclasses.replace(SPEC, count=70)
    one = [(c.case_id, c.text) for c in generate(policy(), spec, workers=1)]
    two = [(c.case_id, c.text) for c in generate(policy(), spec, workers=2)]
    assert one == two and len(one) == 70
    assert len({cid for cid, _ in one}) == 70


def test_history_is_each_persons_work_by_day(office: Office, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    out = sample(office, "--count", "40", "--seed", "3", "--history")
    assert "已写入 40 件示例案件" in out
    assert office.git("status", "--porcelain").stdout == ""
    assert office.run("validate").output.strip() == "40 个案件文件全部有效"
    log = office.git("log", "--format=%an%x1f%at%x1f%(trailers:key=Case,valueonly,separator=%x2C)%x1f"
                     "%(trailers:key=Action,valueonly)%x1e", "--", "cases").stdout
    rows = [rec.strip("\n").split("\x1f") for rec in log.split("\x1e") if rec.strip()]
    assert rows[-1][2] == ""  # the office's `init` commit (the .gitkeep), before the sample's
    rows = rows[:-1]
    times = [int(r[1]) for r in rows]
    assert times == sorted(times, reverse=True)  # commits in the order the work was done
    tz = policy().tz
    done = {(r[0], cid, r[3].strip(), datetime.fromtimestamp(int(r[1]), tz).date())
            for r in rows for cid in r[2].split(",")}
    steps = set()
    for p in (office.root / "cases").rglob("*.yaml"):
        data = load_plain(p.read_text(encoding="utf-8"), p.name)
        timeline = data["timeline"]
        for i, e in enumerate(timeline):
            nxt = timeline[i + 1] if i + 1 < len(timeline) else None
            if e["action"] == "upgrade" and nxt is not None and nxt["by"] == e["by"] and nxt["at"] == e["at"] \
                    and nxt["action"] in ("resolve", "close"):
                continue  # R-DL-6: the late resolution's own commit records its upgrade first
            action = "new" if e["action"] == "received" else e["action"]
            steps.add((e["by"], data["id"], action, e["at"].astimezone(tz).date()))
    assert steps == done  # every step is a commit of its actor, that day, naming the case and the action
    assert len({r[0] for r in rows}) > 3 and len(rows) < len(steps)
    # the same files as the batch mode writes for the same seed
    other = Office(tmp_path / "batch")
    office.runner.invoke(cli, ["init", str(other.root), "--preset", "property", "--office", "SZ"])
    sample(other, "--count", "40", "--seed", "3", "--no-verify")
    assert case_files(other) == case_files(office)


def test_history_per_step_is_one_commit_per_step_by_its_actor(office: Office,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped sample office's register: every step its own commit, authored and committed
    by the step's actor at the step's time, naming its case and action; `report` and `history`
    read it as they read the CLI's commits."""
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    refused = office.run("sample", "--since", "2026-01-01", "--until", "2026-03-31", "--count", "5",
                         "--per-step", ok=False)
    assert refused.exit_code != 0 and "--history" in refused.output
    assert office.git("rev-list", "--count", "HEAD").stdout.strip() == "1"  # nothing was written
    said = sample(office, "--count", "30", "--seed", "3", "--history", "--per-step")
    assert office.git("status", "--porcelain").stdout == ""
    assert office.run("validate").output.strip() == "30 个案件文件全部有效"
    fmt = "%x1e%H%x1f%an%x1f%ae%x1f%aI%x1f%cn%x1f%ce%x1f%cI%x1f%(trailers:key=Case,valueonly,separator=%x2C)%x1f" \
          "%(trailers:key=Action,valueonly,separator=%x2C)%x1f%(trailers:key=Transition,valueonly,separator=%x2C)"
    log = office.git("log", f"--format={fmt}", "--name-only", "--", "cases").stdout
    rows = [rec.strip("\n").split("\n") for rec in log.split("\x1e") if rec.strip()]
    rows = [r for r in rows if r[0].split("\x1f")[7].strip()]  # the sample's, not the office's init
    assert f"共 {len(rows)} 个提交" in said, said  # what it says it made is what the history holds
    tz = policy().tz
    done = []
    for head, *files in rows:
        sha, an, ae, at, cn, ce, ct, case, action, moved = (f.strip() for f in head.split("\x1f"))
        assert (an, ae, at) == (cn, ce, ct)  # authored and committed by its actor, at the step's time
        assert [f for f in files if f] == [f"cases/2026/{case[5:7]}/{case}.yaml"]  # one case per commit
        done.append((an, case, action, datetime.fromisoformat(at).astimezone(tz), bool(moved), sha))
    steps = []
    for p in (office.root / "cases").rglob("*.yaml"):
        data = load_plain(p.read_text(encoding="utf-8"), p.name)
        timeline = data["timeline"]
        for i, e in enumerate(timeline):
            nxt = timeline[i + 1] if i + 1 < len(timeline) else None
            if e["action"] == "upgrade" and nxt is not None and nxt["by"] == e["by"] and nxt["at"] == e["at"]:
                continue  # R-DL-6: recorded by the late resolution's own commit
            action = "new" if e["action"] == "received" else e["action"]
            steps.append((e["by"], data["id"], action, e["at"].astimezone(tz)))
    assert sorted(d[:4] for d in done) == sorted(steps)  # each step exactly once: who, which case, what, when
    assert {d[2] for d in done if d[4]} >= {"new", "assign", "plan", "resolve", "close"}  # Transition trailers
    people = json.loads(office.run("report", "--period", "2026-02", "--json").output)["people"]
    assert len(people) > 3 and sum(p["received"] for p in people) > 0  # per-person work from authorship
    cid = done[-1][1]
    shown = office.run("history", cid).output
    assert all(d[5][:10] in shown for d in done if d[1] == cid)  # `history`: each step's own commit

"""Property-based hostile input (issue 10): hypothesis drives the strict reader, the CLI and
the git hooks with generated bad input. Properties: never a traceback or an internal error,
never a hang, exit codes 0/1/2 only, and a refused command leaves HEAD, the index and the
working tree exactly as they were; at the end `validate` and `git fsck` are clean.

CI runs a short, fixed budget (derandomized: the same inputs every run). The long run sets
COMPLAINTCTL_FUZZ_EXAMPLES (inputs in all, split over the three tests) and, optionally,
COMPLAINTCTL_FUZZ_REPORT (a JSON file for the figures); see BENCHMARKS.md.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaintctl.cli import cli
from complaintctl.errors import InvalidInput
from complaintctl.model.case import decode, load_plain
from complaintctl.policy.policy import parse_policy_text
from complaintctl.rules.validate import check_texts
from tests.conftest import NOW, Office

TOTAL = int(os.environ.get("COMPLAINTCTL_FUZZ_EXAMPLES") or 0)
SHARE = {"reader": 0.71, "cli": 0.25, "hooks": 0.04}  # of the long run's inputs
CI_BUDGET = {"reader": 1000, "cli": 60, "hooks": 10}
T = 60  # seconds: the most any one subprocess or command may take (a hang fails)
REPORT: dict[str, Any] = {}


def budget(test: str) -> settings:
    examples = max(1, int(TOTAL * SHARE[test])) if TOTAL else CI_BUDGET[test]
    return settings(max_examples=examples, deadline=timedelta(seconds=T), derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck), print_blob=True)


def _report(test: str, counts: Counter[str]) -> None:
    REPORT[test] = dict(counts)
    out = os.environ.get("COMPLAINTCTL_FUZZ_REPORT")
    if out:
        Path(out).write_text(json.dumps(REPORT, indent=2, sort_keys=True), encoding="utf-8")


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """In-process work under a timeout too: SIGALRM interrupts a hang (a blocking open of a FIFO
    included) and the example fails."""
    def alarm(signum: int, frame: Any) -> None:
        raise TimeoutError(f"hang: more than {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# ---- hostile values -----------------------------------------------------------------------

SAMPLE = Path(__file__).resolve().parents[2] / "cases" / "2026" / "10" / "SZ-2610-0001.yaml"
POLICY = parse_policy_text((Path(__file__).resolve().parents[2] / "complaintctl.yaml").read_text(encoding="utf-8"))

AT = datetime.fromisoformat(NOW)

nasty_scalars = st.sampled_from([
    "2026-02-30", "2026-13-01", "0000-01-01", "9999-12-31 23:59:59+14:00", "2026-01-01 10:00:00+25:00",
    "1999-12-31", "2101-01-01", "2026-11-20T09:00:00Z", ".nan", "-.inf", ".inf", "1e400", "9" * 5000,
    "0x" + "f" * 40, "!!float 'abc'", "!!binary aGk=", "!!set {a, b}", "!!python/object/apply:os.system [x]",
    "&a [*a]", "*nothing", "&x 1", "[" * 50 + "]" * 50, "{a: {b: {c: {d: {e: {f: {g: {h: {i: {j: 1}}}}}}}}}}",
    '"\\x00\\x07"', '"\\ud800"', "'unterminated", "\"unterminated", "~", "null", "yes", "- a", "? [a]\n: b",
    "<<: {a: 1}", "{}", "[]", "|\n  block", ">-\n  folded", "\t", "%TAG ! tag:x,2000:", "---", "...",
    "2026-11-20 09:00:00+08:00", "[2026-11-20, 2026-02-29]", "0o777", "0b102", "1_000_000", "+.5e-3",
])
texts = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)
fragments = st.one_of(nasty_scalars, texts, st.builds(lambda a, b: f"{a}: {b}", texts, nasty_scalars))


@st.composite
def hostile_case(draw: st.DrawFn) -> bytes:
    """A real case file with hostile changes: values replaced, lines inserted, dropped or
    duplicated, re-indented, re-encoded, truncated."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["value", "insert", "drop", "dup", "indent", "key"]))
        if how == "value" and ":" in lines[i]:
            key = lines[i].split(":", 1)[0]
            lines[i] = f"{key}: {draw(fragments)}"
        elif how == "insert":
            lines.insert(i, " " * draw(st.sampled_from([0, 2, 4])) + draw(fragments))
        elif how == "drop":
            del lines[i]
        elif how == "dup":
            lines.insert(i, lines[i])
        elif how == "indent":
            lines[i] = " " * draw(st.integers(0, 7)) + lines[i].lstrip()
        else:
            lines[i] = draw(fragments) + ":" + lines[i].split(":", 1)[-1]
    text = "\n".join(lines) + "\n"
    encoding = draw(st.sampled_from(["utf-8"] * 8 + ["gbk", "utf-16", "latin-1", "cut"]))
    if encoding == "cut":
        data = text.encode("utf-8", "surrogateescape")
        return data[: draw(st.integers(0, len(data)))]
    return text.encode(encoding, "replace") if encoding != "utf-8" else text.encode("utf-8", "surrogatepass")


# ---- 1. the strict reader and the validator, in-process -------------------------------------------

def test_fuzz_reader_and_validator() -> None:
    counts: Counter[str] = Counter()

    @budget("reader")
    @given(hostile_case())
    def one(data: bytes) -> None:
        counts["inputs"] += 1
        with time_limit(T):
            try:
                load_plain(decode(data, "cases/2026/10/SZ-2610-0001.yaml"), "f")
                counts["read"] += 1
            except InvalidInput:
                counts["refused"] += 1
            findings = check_texts("cases/2026/10/SZ-2610-0001.yaml", data, SAMPLE.read_bytes(), POLICY, AT)
        counts["findings"] += len(findings)

    one()
    _report("reader", counts)
    assert counts["refused"] > 0 and counts["inputs"] == counts["read"] + counts["refused"]


# ---- 2. the CLI --------------------------------------------------------------------------------------

def _state(root: Path) -> tuple[str, ...]:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=T).stdout
    return git("rev-parse", "HEAD"), git("ls-files", "-s"), git("status", "--porcelain", "--untracked-files=all")


def _office(tmp_path: Path) -> Office:
    root = tmp_path / "office"
    result = CliRunner().invoke(cli, ["init", str(root), "--preset", "property", "--office", "SZ"])
    assert result.exit_code == 0, result.output
    office = Office(root)
    first = office.new("--received-at", "2026-11-20 09:00")
    office.run("assign", first, "--handler", "李工", "--unit", "engineering")
    office.run("plan", first, "--resolver", "李工", "--measures", "更换主板", "--due", "2026-11-25")
    office.new("--received-at", "2026-11-20 10:00", subject="灯不亮", category="other")
    return office


ids = st.sampled_from(["SZ-2611-0001", "SZ-2611-0002", "SZ-2611-9999", "../../etc/passwd", "sz-2611-0001",
                       "SZ-2613-0001", "", "SZ-2611-0001\x00", "-C", "--help"])
hostile_text = st.one_of(texts, nasty_scalars, st.sampled_from(["\udcff", "a\x00b", "x\u2028y", "正常文本",
                                                                  "line\nline", "\t", "é" * 600, "--"]))
dates = st.one_of(st.sampled_from(["9999-12-31", "0001-01-01T00:00:00+14:00", "2026-02-30", "2026-11-25",
                                   "2026-11-25 10:00", "2100-12-31T23:59:59-12:00", "2101-01-01", "nan",
                                   "2026-11-20T09:00:00+23:59", "", "now", "2026-W47", "2026-11-25T10:00:00Z"]),
                  texts)
numbers = st.one_of(st.sampled_from(["nan", "inf", "-inf", "-100", "5", "1e400", "0", "0.5", "1", "1e12",
                                     "-0", "0x10", "1_0", ""]),
                    st.floats(allow_nan=True, allow_infinity=True).map(repr), texts)
periods = st.one_of(st.sampled_from(["9999", "0001-01", "2026-10", "2026-W53", "2026-Q5", "2026-10-01..9999-01-01",
                                     "2026-02-30..2026-03-01", "2026-W47"]), texts)


@st.composite
def command(draw: st.DrawFn) -> list[str]:
    case = draw(ids)
    pick = draw(st.sampled_from(["new", "note", "plan", "resolve", "assign", "wait", "extend", "escalate",
                                 "due", "list", "show", "sweep", "report", "register", "search", "history",
                                 "invalid", "close", "reopen", "revisit", "similar", "report-filed"]))
    if pick == "new":
        args = ["new"]
        for opt in ("--channel", "--name", "--contact", "--complainant-class", "--category", "--subject",
                    "--details", "--location", "--accused", "--material"):
            args += [opt, draw(st.one_of(st.sampled_from(["phone", "owner", "other", "王女士"]), hostile_text))]
        if draw(st.booleans()):
            args += ["--received-at", draw(dates)]
        return args
    return {
        "note": ["note", case, draw(hostile_text)] + (["--contact"] if draw(st.booleans()) else []),
        "plan": ["plan", case, "--resolver", draw(hostile_text), "--measures", draw(hostile_text), "--due",
                 draw(dates)],
        "resolve": ["resolve", case, "--outcome", draw(st.one_of(st.just("repair"), hostile_text)), "--summary",
                    draw(hostile_text), "--compensation", draw(numbers), "--share", draw(numbers), "--loss",
                    draw(numbers)],
        "assign": ["assign", case, "--handler", draw(hostile_text), "--copy", draw(hostile_text)],
        "wait": ["wait", case, "--reason", draw(hostile_text)],
        "extend": ["extend", case, "--until", draw(dates), "--reason", draw(hostile_text)],
        "escalate": ["escalate", case, "--reason", draw(hostile_text), "--level", draw(hostile_text)],
        "due": ["due", "--as-of", draw(dates), "--within", draw(st.one_of(st.just("2d"), hostile_text))],
        "list": ["list", "--since", draw(dates), "--until", draw(dates), "--status", draw(hostile_text)],
        "show": ["show", case, "--as-of", draw(dates)] + (["--json"] if draw(st.booleans()) else []),
        "sweep": ["sweep", "--as-of", draw(dates)] + (["--dry-run"] if draw(st.booleans()) else []),
        "report": ["report", "--period", draw(periods), "--as-of", draw(dates)],
        "register": ["register", "--week", draw(periods)],
        "search": ["search", draw(hostile_text), "--limit", draw(numbers)],
        "history": ["history", case],
        "invalid": ["invalid", case, "--reason", draw(st.one_of(st.just("out-of-scope"), hostile_text)),
                    "--reply", draw(hostile_text)],
        "close": ["close", case, "--root-cause", draw(hostile_text), "--late-reason", draw(hostile_text)],
        "reopen": ["reopen", case, "--reason", draw(hostile_text)],
        "revisit": ["revisit", case, "--satisfaction", draw(st.one_of(st.just("satisfied"), hostile_text))],
        "similar": ["similar", case, "--limit", draw(numbers)],
        "report-filed": ["report-filed", case, draw(hostile_text)],
    }[pick]


WRITES = {"new", "note", "plan", "resolve", "assign", "wait", "extend", "escalate", "sweep", "invalid", "close",
          "reopen", "revisit", "report-filed"}


def test_fuzz_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    office = _office(tmp_path)
    runner = CliRunner()
    counts: Counter[str] = Counter()

    @budget("cli")
    @given(command())
    def one(args: list[str]) -> None:
        counts["inputs"] += 1
        before = _state(office.root)
        with time_limit(T):
            result = runner.invoke(cli, ["-C", str(office.root), *args])
        out = result.output
        assert result.exit_code in (0, 1, 2), (args, result.exit_code, out, result.exception)
        assert "internal error" not in out and "Traceback" not in out, (args, out)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"{args}: {result.exception!r}")
        counts[f"exit {result.exit_code}"] += 1
        if result.exit_code != 0:
            assert _state(office.root) == before, (args, out)  # a refusal changes nothing
        elif args[0] in WRITES:
            assert _state(office.root)[2] == "", (args, out)  # a success leaves the work tree clean

    one()
    _report("cli", counts)
    _assert_repository_sound(office.root)


# ---- 3. the hooks: pre-commit (git commit) and pre-receive (git push), as subprocesses ------------------

def test_fuzz_hooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINTCTL_NOW", NOW)
    office = _office(tmp_path)
    bare = tmp_path / "remote.git"
    hook_src = Path(__file__).resolve().parents[2] / "hooks" / "pre-receive"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True, timeout=T)
    (bare / "hooks" / "pre-receive").write_text(hook_src.read_text(encoding="utf-8"), encoding="utf-8")
    (bare / "hooks" / "pre-receive").chmod(0o755)

    def git(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(["git", *args], cwd=office.root, capture_output=True, text=True, timeout=T)
        assert not check or proc.returncode == 0, proc.stderr
        return proc

    git("remote", "add", "origin", str(bare))
    git("push", "-q", "--no-verify", "origin", "main")
    target = office.path("SZ-2611-0001")
    counts: Counter[str] = Counter()

    @budget("hooks")
    @given(hostile_case(), st.sampled_from([target.name, "SZ-2611-0777.yaml", "notes.yml", "x.YAML"]))
    def one(data: bytes, name: str) -> None:
        counts["inputs"] += 1
        head = git("rev-parse", "HEAD").stdout
        path = target.parent / name
        path.write_bytes(data.replace(b"SZ-2610-0001", path.stem.encode()))
        git("add", "-A", "cases")
        if git("diff", "--cached", "--quiet", check=False).returncode == 0:
            counts["same as committed"] += 1  # an earlier input, accepted, wrote these very bytes
            return
        proc = git("commit", "-q", "-m", "hostile hand edit", check=False)
        assert proc.returncode in (0, 1), proc.stderr
        assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
        counts["pre-commit " + ("accepted" if proc.returncode == 0 else "refused")] += 1
        if proc.returncode != 0:
            assert git("rev-parse", "HEAD").stdout == head
            git("commit", "-q", "--no-verify", "-m", "hostile, past the hook")
        push = git("push", "-q", "origin", "main", check=False)
        assert "Traceback" not in push.stderr and "internal error" not in push.stderr, push.stderr
        counts["pre-receive " + ("accepted" if push.returncode == 0 else "refused")] += 1
        if push.returncode != 0:
            git("reset", "-q", "--hard", "origin/main")
        git("clean", "-fdq", "cases")

    one()
    _report("hooks", counts)
    _assert_repository_sound(office.root)
    _assert_repository_sound(bare)


def _assert_repository_sound(root: Path) -> None:
    fsck = subprocess.run(["git", "fsck", "--no-progress"], cwd=root, capture_output=True, text=True, timeout=T)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    if (root / ".git").exists():
        proc = subprocess.run([sys.executable, "-m", "complaintctl", "validate"], cwd=root, capture_output=True,
                              text=True, timeout=T)
        assert proc.returncode == 0, proc.stderr

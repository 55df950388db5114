"""Time the real CLI over a generated case repository (the targets in BENCHMARKS.md).

    python benchmarks/bench.py --count 10000                 # build a repo, time everything
    python benchmarks/bench.py --count 100000 --keep --markdown
    python benchmarks/bench.py --repo /tmp/bench-10000 --only list --only new   # reuse a repo (--keep)
    python benchmarks/bench.py --count 10000 --json

Each timed command is a subprocess `python -m complaintctl -C REPO …`, so the figures include
interpreter start-up, as a user sees them; `peak` is the process's maximum resident memory.
The repository is a `complaintctl sample --history` office (each person's day of work in
commits). Paired figures: `new` against a bare `git add` + `git commit --no-verify` of the
same kind of file, the pre-commit hook (a commit of a hand edit) against the same commit
with `--no-verify`; the cold rebuild against the libyaml floor (PyYAML's C loader parsing
every case file in one process). `uptime` is recorded before and after: the machine's load.
Add a command with one line in BENCHES.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

NOW = "2026-11-02T10:00:00+08:00"  # pinned: after the sample range, so runs are comparable
SINCE, UNTIL = "2026-01-01", "2026-10-31"
TARGETS = {  # seconds (a 2-core machine, 100,000 cases)
    "help": 0.15, "version": 0.15, "show": 0.15, "list-open": 0.5, "list-overdue": 0.5, "due": 0.5,
    "report": 0.5, "register": 0.5, "bulletin": 0.5, "search": 0.5, "similar": 0.5, "validate": 2.0,
}


@dataclass(frozen=True)
class Bench:
    name: str
    args: Callable[[Path], list[str]]  # arguments after `complaintctl -C REPO`
    runs: int = 5
    cold: bool = False  # drop the read cache before each run
    label: str = ""


def _new_args(repo: Path) -> list[str]:
    return ["new", "--channel", "phone", "--name", "王女士", "--contact", "13800138000",
            "--complainant-class", "owner", "--category", "work-efficiency", "--subject", "电梯故障三天未修",
            "--details", "3栋电梯停运三天", "--location", "3栋2单元"]


@cache
def _some_case(repo: Path) -> str:
    """A case from the middle of the range (found outside the timed run)."""
    folder = repo / "cases" / "2026" / "06"
    files = sorted(folder.glob("*.yaml")) or sorted((repo / "cases").rglob("*.yaml"))
    return files[len(files) // 2].stem


BENCHES: list[Bench] = [
    Bench("help", lambda r: ["--help"], label="`--help`"),
    Bench("version", lambda r: ["--version"], label="`--version`"),
    Bench("show", lambda r: ["show", _some_case(r)], label="`show ID`"),
    Bench("history", lambda r: ["history", _some_case(r)], label="`history ID`"),
    Bench("list-cold", lambda r: ["list", "--status", "open"], runs=1, cold=True,
          label="cold rebuild of the read index (`list --status open`, fresh clone)"),
    Bench("list", lambda r: ["list"], runs=3, label="`list` (every case, a table)"),
    Bench("list-open", lambda r: ["list", "--status", "open"], label="`list --status open`"),
    Bench("list-overdue", lambda r: ["list", "--overdue"], label="`list --overdue`"),
    Bench("due", lambda r: ["due"], label="`due`"),
    Bench("search", lambda r: ["search", "漏水"], label="`search 漏水`"),
    Bench("similar", lambda r: ["similar", _some_case(r)], runs=3, label="`similar ID`"),
    Bench("validate-cold", lambda r: ["validate"], runs=1, cold=True, label="`validate` (cold: no index, no verdicts)"),
    Bench("validate", lambda r: ["validate"], label="`validate` (warm)"),
    Bench("report", lambda r: ["report", "--period", "2026-10"], label="`report --period 2026-10`"),
    Bench("register", lambda r: ["register", "--week", "2026-W43"], label="`register --week 2026-W43`"),
    Bench("bulletin", lambda r: ["bulletin", "--period", "2026-10", "--out", str(r.parent / "bulletins")],
          label="`bulletin --period 2026-10`"),
    # R-DL-6/R-DL-7/R-ES-1 over every open case: the first run commits the upgrades, reminders
    # and escalations it finds; the next ones find nothing to do (idempotent, no commit).
    Bench("sweep", lambda r: ["sweep"], runs=1, label="`sweep`, first run (one commit)"),
    Bench("sweep-again", lambda r: ["sweep"], runs=3, label="`sweep` again: nothing to do"),
]
PAIRED = ("new", "hook")  # timed against git alone, see paired()
EXTRA = ("floor",)


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["COMPLAINTCTL_NOW"] = NOW
    # the hooks honour the pinned clock only where git config allows it (as the tests' fixtures do)
    e.update(GIT_CONFIG_COUNT="1", GIT_CONFIG_KEY_0="complaintctl.allowPinnedNow", GIT_CONFIG_VALUE_0="true")
    e["COMPLAINTCTL"] = f"{sys.executable} -m complaintctl"  # what the hooks run
    e.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed complaintctl has its bytecode
    for k in ("NAME", "EMAIL"):
        e.pop(f"GIT_AUTHOR_{k}", None)
        e.pop(f"GIT_COMMITTER_{k}", None)
    e.update(GIT_AUTHOR_NAME="张敏", GIT_AUTHOR_EMAIL="zhangmin@example.com",
             GIT_COMMITTER_NAME="张敏", GIT_COMMITTER_EMAIL="zhangmin@example.com")
    return e


TIME = Path("/usr/bin/time")  # GNU time: a small parent, so the peak is the command's own


def run(args: list[str], repo: Path | None = None) -> tuple[float, float, str]:
    """(seconds, peak memory MB, stdout) of one CLI run. The peak comes from GNU time when there
    is one: a child forked from this process counts this process's memory until it execs."""
    argv = [sys.executable, "-m", "complaintctl", *(["-C", str(repo)] if repo else []), *args]
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        if TIME.exists():
            argv = [str(TIME), "-f", "%M", "-o", rss.name, *argv]
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out_b, err_b = proc.communicate()
        elapsed = time.perf_counter() - start
        peak = rss.read().strip().splitlines()
    out, err = out_b.decode(), err_b.decode()
    code = proc.returncode
    if code != 0 and not (args and args[0] == "validate" and code == 1):
        raise SystemExit(f"{' '.join(args)} failed ({code}): {err[-2000:]}")
    kb = float(peak[-1]) if peak and peak[-1].isdigit() else 0.0
    return elapsed, kb / 1024, out


def git(repo: Path, *args: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run(["git", *args], cwd=repo, env=env(), capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed: {proc.stderr.strip()[-1500:]}")
    return elapsed


def build(repo: Path, count: int, workers: int) -> dict[str, float]:
    run(["init", str(repo), "--preset", "property", "--office", "SZ"])
    seconds, mb, _ = run(["sample", "--count", str(count), "--seed", "1", "--since", SINCE, "--until", UNTIL,
                          "--history", "--workers", str(workers)], repo)
    files = sum(1 for _ in (repo / "cases").rglob("*.yaml"))
    assert files == count, (files, count)
    commits = int(subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=repo, capture_output=True, text=True,
                                 check=True).stdout)
    return {"seconds": round(seconds, 2), "peak_mb": round(mb, 1), "cases": count, "commits": commits}


def drop_cache(repo: Path) -> None:
    git_dir = subprocess.run(["git", "-C", str(repo), "rev-parse", "--git-common-dir"], capture_output=True,
                             text=True, check=True).stdout.strip()
    for name in ("index.sqlite", "index.sqlite-wal", "index.sqlite-shm"):
        ((repo / git_dir) / "complaintctl" / name).unlink(missing_ok=True)


def summary(times: list[float], peaks: list[float]) -> dict[str, float]:
    return {"runs": len(times), "median_s": round(statistics.median(times), 3), "min_s": round(min(times), 3),
            "max_s": round(max(times), 3), "peak_mb": round(max(peaks), 1)}


def measure(repo: Path, bench: Bench, runs: int | None) -> dict[str, float]:
    times, peaks = [], []
    for _ in range(runs if runs and bench.runs > 1 else bench.runs):
        if bench.cold:
            drop_cache(repo)
        seconds, mb, _ = run(bench.args(repo), repo)
        times.append(seconds)
        peaks.append(mb)
    return summary(times, peaks)


def paired(repo: Path, name: str, runs: int) -> dict[str, object]:
    """`new` against a bare commit of a new case file; the pre-commit hook (a commit of a hand
    edit, hooks on) against the same commit with --no-verify. Alternated, run by run."""
    ours, bare, peaks = [], [], []
    if name == "new":
        for i in range(runs):
            seconds, mb, out = run(_new_args(repo), repo)
            ours.append(seconds)
            peaks.append(mb)
            rel = out.split("(", 1)[1].split(")", 1)[0]  # "SZ-2611-0001 recorded (cases/…yaml), commit …"
            copy = repo / "bare" / f"{Path(rel).stem}-{i}.yaml"  # outside cases/: no second record of it
            copy.parent.mkdir(exist_ok=True)
            shutil.copy(repo / rel, copy)
            bare.append(git(repo, "add", "--", str(copy.relative_to(repo)))
                        + git(repo, "commit", "-q", "--no-verify", "-m", "bare commit"))
    else:
        # a hand edit the hook accepts: a note appended to an open case's timeline by the committer
        from datetime import datetime

        from complaintctl.model.case import dump_document, load_document, timeline_entry

        case = _open_case(repo)
        at = datetime.fromisoformat(NOW)  # after every step so far (a sweep's too), never in the future
        for i in range(runs):
            for verify, into in ((True, ours), (False, bare)):
                doc = load_document(case.read_text(encoding="utf-8"), case.name)
                doc["timeline"].append(timeline_entry(at, "张敏", "note", note=f"备注 {i}"))
                case.write_text(dump_document(doc), encoding="utf-8")
                git(repo, "add", "--", str(case.relative_to(repo)))
                into.append(git(repo, "commit", "-q", *([] if verify else ["--no-verify"]), "-m", f"note {i}"))
    ratio = statistics.median(ours) / statistics.median(bare)
    return {"runs": runs, "median_s": round(statistics.median(ours), 3), "min_s": round(min(ours), 3),
            "max_s": round(max(ours), 3), "peak_mb": round(max(peaks), 1) if peaks else None,
            "bare_median_s": round(statistics.median(bare), 3), "ratio": round(ratio, 2)}


@cache
def _open_case(repo: Path) -> Path:
    """A recent case still open (a hand edit of its subject is valid; a closed case's is not)."""
    for path in sorted((repo / "cases").rglob("*.yaml"), reverse=True):
        if path.parent.name == NOW[5:7]:
            continue  # made by the bench's own `new` runs, received at NOW: notes go before it
        text = path.read_text(encoding="utf-8")
        if "\nstatus: closed\n" not in text and "\nstatus: invalid\n" not in text:
            return path
    raise SystemExit("no open case to edit")


FLOOR = """
import sys, time, yaml
from pathlib import Path
files = sorted(Path(sys.argv[1]).rglob("*.yaml"))
start = time.perf_counter()
for p in files:
    yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader)
print(time.perf_counter() - start)
"""


def floor(repo: Path) -> dict[str, object]:
    """PyYAML's C loader over every case file, one process: the libyaml floor of a cold read."""
    proc = subprocess.run([sys.executable, "-c", FLOOR, str(repo / "cases")], capture_output=True, text=True,
                          env=env())
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
    return {"runs": 1, "median_s": round(float(proc.stdout.strip()), 3)}


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def markdown(figures: dict[str, object]) -> str:
    """The table for BENCHMARKS.md."""
    cmds: dict[str, dict[str, object]] = figures["commands"]  # type: ignore[assignment]
    labels = {b.name: b.label or b.name for b in BENCHES}
    labels.update(new="`new` (repeat check, commit, hook)", hook="pre-commit hook: `git commit` of a hand edit",
                  floor="libyaml floor: PyYAML C loader over every file, one process")
    lines = ["| command | runs | median | min | peak | target | vs |",
             "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for name, r in cmds.items():
        if "error" in r:
            lines.append(f"| {labels.get(name, name)} | – | {r['error']} | | | | |")
            continue
        target = TARGETS.get(name)
        vs = ""
        if name == "new":
            vs = f"bare `git add`+`commit --no-verify` {r['bare_median_s']} s: **{r['ratio']}×** (target ≤ 3×)"
        elif name == "hook":
            vs = f"`--no-verify` {r['bare_median_s']} s: **{r['ratio']}×** (target ≤ 2×)"
        elif name == "list-cold" and "floor" in cmds and "median_s" in cmds["floor"]:
            vs = f"**{float(r['median_s']) / float(cmds['floor']['median_s']):.2f}×** the libyaml floor " \
                 "(target ≤ 1.5×)"
        peak = f"{r['peak_mb']:.0f} MB" if r.get("peak_mb") else ""
        least = f"{r['min_s']} s" if "min_s" in r else ""
        goal = f"≤ {target} s" if target else ""
        lines.append(f"| {labels.get(name, name)} | {r['runs']} | {r['median_s']} s | {least} | {peak} | {goal} "
                     f"| {vs} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    names = [b.name for b in BENCHES] + list(PAIRED) + list(EXTRA)
    parser.add_argument("--count", type=int, default=1000, help="cases in the generated repository")
    parser.add_argument("--only", action="append", choices=names, help="time only these")
    parser.add_argument("--runs", type=int, help="runs of each repeated command (default: 5, or 3)")
    parser.add_argument("--workers", type=int, default=0, help="sample build processes (0: one per core)")
    parser.add_argument("--repo", type=Path, help="reuse this repository (built earlier with --keep)")
    parser.add_argument("--keep", action="store_true", help="keep the generated repository")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--markdown", action="store_true", help="print the BENCHMARKS.md table")
    opts = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="complaintctl-bench-"))
    repo = opts.repo or tmp / f"office-{opts.count}"
    figures: dict[str, object] = {"count": opts.count, "python": sys.version.split()[0], "cpus": os.cpu_count(),
                                  "uptime_before": uptime()}
    wanted = set(opts.only or names)
    try:
        if opts.repo is None:
            figures["build"] = build(repo, opts.count, opts.workers)
            if not opts.json:
                print(f"build: {figures['build']}", flush=True)
        else:
            figures["count"] = sum(1 for _ in (repo / "cases").rglob("*.yaml"))
        run(["--version"])  # bytecode written once, as an installed package has it
        results: dict[str, object] = {}
        order = [b.name for b in BENCHES if b.name in ("help", "version", "show", "history", "list-cold")] + \
            ["floor"] + [b.name for b in BENCHES if b.name not in ("help", "version", "show", "history",
                                                                   "list-cold", "sweep", "sweep-again")] + \
            ["new", "hook", "sweep", "sweep-again"]
        by_name = {b.name: b for b in BENCHES}
        for name in order:
            if name not in wanted:
                continue
            if name in PAIRED:
                r: dict[str, object] = paired(repo, name, opts.runs or 5)
            elif name == "floor":
                r = floor(repo)
            else:
                r = measure(repo, by_name[name], opts.runs)  # type: ignore[assignment]
            results[name] = r
            if not opts.json:
                print(f"{name:<14} {json.dumps(r, ensure_ascii=False)}", flush=True)
        figures["commands"] = results
        figures["uptime_after"] = uptime()
    finally:
        if opts.keep or opts.repo:
            print(f"repository kept: {repo}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if opts.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        print(f"load: before {figures['uptime_before']}\n      after  {figures['uptime_after']}")
    if opts.markdown:
        print(markdown(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Time the real CLI over a generated case repository.

    python benchmarks/bench.py --count 10000            # build a repo, time everything
    python benchmarks/bench.py --count 10000 --only list --only new
    python benchmarks/bench.py --repo /tmp/bench-10000   # reuse a repo built earlier (--keep)
    python benchmarks/bench.py --json

Each timed command is a subprocess `python -m complaintctl -C REPO …`, so the figures
include interpreter start-up, as a user sees them. Add a command with one line in
BENCHES, e.g. `Bench("report", lambda r: ["report", "--month", "2026-10"])`.
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


@dataclass(frozen=True)
class Bench:
    name: str
    args: Callable[[Path], list[str]]  # arguments after `complaintctl -C REPO`
    runs: int = 3
    cold: bool = False  # drop the read cache before each run


def _new_args(repo: Path) -> list[str]:
    return ["new", "--channel", "phone", "--name", "王女士", "--contact", "13800138000",
            "--complainant-class", "owner", "--category", "work-efficiency", "--subject", "电梯故障三天未修",
            "--details", "3栋电梯停运三天", "--location", "3栋2单元"]


@cache
def _some_case(repo: Path) -> str:
    """A case from the middle of the range (found outside the timed run)."""
    files = sorted((repo / "cases").rglob("*.yaml"))
    return files[len(files) // 2].stem


BENCHES: list[Bench] = [
    Bench("list-cold", lambda r: ["list"], runs=1, cold=True),
    Bench("list", lambda r: ["list"]),
    Bench("list-open", lambda r: ["list", "--status", "open"]),
    Bench("show", lambda r: ["show", _some_case(r)]),
    Bench("history", lambda r: ["history", _some_case(r)]),
    Bench("validate-cold", lambda r: ["validate"], runs=1, cold=True),
    Bench("validate", lambda r: ["validate"]),
    Bench("report", lambda r: ["report", "--period", "2026-10"]),
    Bench("register", lambda r: ["register", "--week", "2026-W43"]),
    Bench("bulletin", lambda r: ["bulletin", "--period", "2026-10", "--out", str(r.parent / "bulletins")]),
    Bench("new", _new_args, runs=5),
    # R-DL-6/R-DL-7/R-ES-1 over every open case: the first run commits the upgrades, reminders
    # and escalations it finds; the next ones find nothing to do (idempotent, no commit).
    Bench("sweep", lambda r: ["sweep"], runs=1),
    Bench("sweep-again", lambda r: ["sweep"]),
]


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["COMPLAINTCTL_NOW"] = NOW
    e["COMPLAINTCTL"] = f"{sys.executable} -m complaintctl"  # what the hooks run
    for k in ("NAME", "EMAIL"):
        e.pop(f"GIT_AUTHOR_{k}", None)
        e.pop(f"GIT_COMMITTER_{k}", None)
    e.update(GIT_AUTHOR_NAME="张敏", GIT_AUTHOR_EMAIL="zhangmin@example.com",
             GIT_COMMITTER_NAME="张敏", GIT_COMMITTER_EMAIL="zhangmin@example.com")
    return e


def run(args: list[str], repo: Path | None = None) -> tuple[float, float]:
    """(seconds, peak memory MB) of one CLI run; fails loudly if the command fails."""
    argv = [sys.executable, "-m", "complaintctl", *(["-C", str(repo)] if repo else []), *args]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {err[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def build(repo: Path, count: int) -> dict[str, float]:
    run(["init", str(repo), "--preset", "property", "--office", "SZ"])
    seconds, mb = run(["sample", "--count", str(count), "--seed", "1", "--since", SINCE, "--until", UNTIL,
                       "--no-verify", "--batch-size", "5000"], repo)
    files = sum(1 for _ in (repo / "cases").rglob("*.yaml"))
    assert files == count, (files, count)
    return {"seconds": round(seconds, 2), "peak_mb": round(mb, 1), "cases": count}


def drop_cache(repo: Path) -> None:
    git_dir = subprocess.run(["git", "-C", str(repo), "rev-parse", "--git-common-dir"], capture_output=True,
                             text=True, check=True).stdout.strip()
    for name in ("index.sqlite", "index.sqlite-wal", "index.sqlite-shm"):
        ((repo / git_dir) / "complaintctl" / name).unlink(missing_ok=True)


def measure(repo: Path, bench: Bench) -> dict[str, float]:
    times, peaks = [], []
    for _ in range(bench.runs):
        if bench.cold:
            drop_cache(repo)
        seconds, mb = run(bench.args(repo), repo)
        times.append(seconds)
        peaks.append(mb)
    return {"runs": bench.runs, "median_s": round(statistics.median(times), 3),
            "min_s": round(min(times), 3), "max_s": round(max(times), 3), "peak_mb": round(max(peaks), 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000, help="cases in the generated repository")
    parser.add_argument("--only", action="append", choices=[b.name for b in BENCHES], help="time only these")
    parser.add_argument("--repo", type=Path, help="reuse this repository (built earlier with --keep)")
    parser.add_argument("--keep", action="store_true", help="keep the generated repository")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    opts = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="complaintctl-bench-"))
    repo = opts.repo or tmp / f"office-{opts.count}"
    figures: dict[str, object] = {"count": opts.count, "python": sys.version.split()[0], "cpus": os.cpu_count()}
    try:
        if opts.repo is None:
            figures["build"] = build(repo, opts.count)
        else:
            figures["count"] = sum(1 for _ in (repo / "cases").rglob("*.yaml"))
        results = {}
        for bench in BENCHES:
            if not opts.only or bench.name in opts.only:
                results[bench.name] = measure(repo, bench)
                if not opts.json:
                    r = results[bench.name]
                    print(f"{bench.name:<15} median {r['median_s']:7.3f} s  (min {r['min_s']:.3f}, "
                          f"max {r['max_s']:.3f}, n={r['runs']})  peak {r['peak_mb']:.0f} MB", flush=True)
        figures["commands"] = results
    finally:
        if opts.keep or opts.repo:
            print(f"repository kept: {repo}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if opts.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    elif "build" in figures:
        print(f"build: {figures['build']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Fifty offices on one shared repository (issue 12): `sync` and the server's pre-receive hook
under load, as p50/p95.

    python benchmarks/fifty_offices.py --source /tmp/complaintctl-bench-…/office-100000
    python benchmarks/fifty_offices.py --count 2000 --offices 10 --concurrent 4 --rounds 2   # quick

The source is a sample office (`benchmarks/bench.py --keep` leaves one; without --source one
of --count cases is built). The script copies it to a work folder, lists the offices in its
policy (codes B01…B50) and pushes it to a server repository made by `complaintctl server init`
(the shipped pre-receive hook). Each office is a clone sharing the server's objects
(`git clone --shared`), sparse (the policy, the hooks and the current month's cases) with
the read index copied from a first clone, numbering its cases with its own code (`git config
complaintctl.office`). In each round every office, `--concurrent` at a time, records two
complaints, takes one of its earlier complaints from intake to closing (assign, plan,
resolve, revisit, close) and runs `complaintctl sync` (timed, with its peak memory). The
server's hook is timed by a wrapper (COMPLAINTCTL) that logs each run. Pushes are local
(no pusher identity, so the server is set up with --allow-anonymous): the access rules are
off, every other check runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

NOW = "2026-11-20T10:00:00+08:00"  # after the sample's range: the offices' new cases are 2611-…
SAMPLE_ARGS = ["--seed", "1", "--since", "2026-01-01", "--until", "2026-10-31", "--history"]
WRAPPER = """#!/bin/sh
# times every complaintctl hook run (pre-receive on the server, pre-commit in the clones)
start=$(date +%s.%N)
{python} -m complaintctl "$@"
code=$?
end=$(date +%s.%N)
echo "$1-$2 $start $end $code" >> {log}
exit $code
"""


def env(extra: dict[str, str] | None = None) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    e.pop("PYTHONDONTWRITEBYTECODE", None)
    e.update(GIT_CONFIG_COUNT="1", GIT_CONFIG_KEY_0="complaintctl.allowPinnedNow", GIT_CONFIG_VALUE_0="true")
    e.update(COMPLAINTCTL_NOW=NOW, GIT_AUTHOR_NAME="张敏", GIT_AUTHOR_EMAIL="zhangmin@example.com",
             GIT_COMMITTER_NAME="张敏", GIT_COMMITTER_EMAIL="zhangmin@example.com")
    e.update(extra or {})
    return e


def sh(*argv: str, cwd: Path | None = None, extra: dict[str, str] | None = None) -> str:
    proc = subprocess.run(argv, cwd=cwd, env=env(extra), capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.strip()[-1500:]}")
    return proc.stdout


class Failed(Exception):
    pass


def cli(root: Path, *args: str, extra: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(seconds, peak MB, stdout) of one complaintctl run in `root` (peak through GNU time)."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        argv = [sys.executable, "-m", "complaintctl", "-C", str(root), *args]
        if Path("/usr/bin/time").exists():
            argv = ["/usr/bin/time", "-f", "%M", "-o", rss.name, *argv]
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=env(extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = proc.communicate()
        elapsed = time.perf_counter() - start
        peak = rss.read().strip().splitlines()
    if proc.returncode != 0:
        raise Failed(f"complaintctl {' '.join(args)} in {root.name} failed: {err.decode()[-1500:]}")
    return elapsed, (float(peak[-1]) / 1024 if peak and peak[-1].isdigit() else 0.0), out.decode()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return round(ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))], 3)


def prepare(work: Path, source: Path | None, count: int, offices: int) -> tuple[Path, Path]:
    """The group's repository (the source + offices in its policy) on a server; returns (server, seed)."""
    seed = work / "seed"
    if source is None:
        cli(work, "init", str(seed), "--preset", "property", "--office", "SZ")
        cli(seed, "sample", "--count", str(count), *SAMPLE_ARGS)
    else:
        sh("git", "clone", "-q", "--no-hardlinks", str(source), str(seed))
        sh("git", "config", "core.hooksPath", "hooks", cwd=seed)
    policy = seed / "complaintctl.yaml"
    codes = [f"B{i:02d}" for i in range(1, offices + 1)]
    text = policy.read_text(encoding="utf-8")
    listed = "offices:\n" + "".join(f"  {c}: 分公司{c}\n" for c in codes)
    policy.write_text(text.rstrip("\n") + "\n" + listed, encoding="utf-8")
    sh("git", "commit", "-q", "-am", f"group policy: {offices} offices", cwd=seed)
    server = work / "server" / "cases.git"
    server.parent.mkdir(parents=True, exist_ok=True)
    # The existing history goes in before the hook (it was judged as it was made); from then on
    # every push is judged.
    sh("git", "clone", "-q", "--bare", str(seed), str(server))
    cli(work, "server", "init", str(server), "--allow-anonymous")
    return server, seed


def make_clones(work: Path, server: Path, offices: int) -> list[Path]:
    """A first sparse clone, its read index warmed; the others copy it (objects stay shared)."""
    first = work / "offices" / "B01"
    first.parent.mkdir(parents=True, exist_ok=True)
    sh("git", "clone", "-q", "--shared", "--no-checkout", str(server), str(first))
    sh("git", "sparse-checkout", "set", "--cone", "hooks", "cases/2026/11", cwd=first)
    sh("git", "checkout", "-q", "main", cwd=first)
    sh("git", "config", "core.hooksPath", "hooks", cwd=first)
    seconds, mb, _ = cli(first, "list", "--status", "open")  # builds the read index once
    print(f"first clone's read index: {seconds:.1f} s, {mb:.0f} MB", flush=True)
    clones = [first]
    for i in range(2, offices + 1):
        clone = work / "offices" / f"B{i:02d}"
        shutil.copytree(first, clone, symlinks=True)
        clones.append(clone)
    for clone in clones:
        sh("git", "config", "complaintctl.office", clone.name, cwd=clone)
    return clones


NEW = ["new", "--channel", "phone", "--name", "客户", "--contact", "13800000000", "--complainant-class", "owner",
       "--category", "work-efficiency", "--subject", "电梯故障", "--details", "电梯停运"]


def office_round(clone: Path, round_no: int, hook_env: dict[str, str]) -> dict[str, float]:
    """Two complaints in, one earlier complaint closed, then sync (timed)."""
    mine = sorted((clone / "cases" / "2026" / "11").glob(f"{clone.name}-*.yaml"))
    for k in range(2):
        cli(clone, *NEW, "--subject", f"{clone.name} 第{round_no}轮 第{k + 1}件", extra=hook_env)
    if mine:
        case = mine[0].stem if round_no % 2 else mine[-1].stem
        text = mine[0].read_text(encoding="utf-8") if round_no % 2 else mine[-1].read_text(encoding="utf-8")
        if "\nstatus: received\n" in text:
            for step in (["assign", case, "--handler", "李工", "--unit", "engineering"],
                         ["plan", case, "--resolver", "李工", "--measures", "更换主板", "--due", "2026-11-25"],
                         ["resolve", case, "--outcome", "repair", "--summary", "已修复"],
                         ["revisit", case, "--satisfaction", "satisfied"],
                         ["close", case, "--root-cause", "备件不足", "--lesson", "常备主板"]):
                cli(clone, *step, extra=hook_env)
    gave_up = 0
    while True:  # "the remote kept moving" (others pushed first six times running): sync again
        try:
            seconds, mb, _ = cli(clone, "sync", extra=hook_env)
            break
        except Failed as exc:
            if "kept moving" not in str(exc) or gave_up >= 5:
                raise
            gave_up += 1
    return {"sync_s": seconds, "peak_mb": mb, "gave_up": float(gave_up)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, help="a sample office to serve (else one of --count is built)")
    parser.add_argument("--count", type=int, default=2000, help="cases in the built office (without --source)")
    parser.add_argument("--offices", type=int, default=50)
    parser.add_argument("--concurrent", type=int, default=10, help="offices syncing at once")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", type=Path, help="work folder (default: a temporary one, removed)")
    parser.add_argument("--json", action="store_true")
    opts = parser.parse_args(argv)
    work = opts.work or Path(tempfile.mkdtemp(prefix="complaintctl-offices-"))
    work.mkdir(parents=True, exist_ok=True)
    log = work / "hooks.log"
    wrapper = work / "timed-complaintctl"
    wrapper.write_text(WRAPPER.format(python=sys.executable, log=log), encoding="utf-8")
    wrapper.chmod(0o755)
    hook_env = {"COMPLAINTCTL": str(wrapper)}
    before = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    figures: dict[str, object] = {}
    try:
        t0 = time.perf_counter()
        server, _ = prepare(work, opts.source, opts.count, opts.offices)
        clones = make_clones(work, server, opts.offices)
        setup = time.perf_counter() - t0
        print(f"setup: {setup:.0f} s ({opts.offices} clones)", flush=True)
        log.write_text("", encoding="utf-8")
        results: list[dict[str, float]] = []
        for r in range(1, opts.rounds + 1):
            start = time.perf_counter()
            with ThreadPoolExecutor(opts.concurrent) as pool:
                results.extend(pool.map(partial(office_round, round_no=r, hook_env=hook_env), clones))
            print(f"round {r}: {time.perf_counter() - start:.0f} s", flush=True)
        hooks = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
        receive = [float(h[2]) - float(h[1]) for h in hooks if h[0] == "hook-pre-receive"]
        refused = sum(1 for h in hooks if h[0] == "hook-pre-receive" and h[3] != "0")
        syncs = [x["sync_s"] for x in results]
        cases = int(sh("git", "ls-tree", "-r", "--name-only", "main", "--", "cases", cwd=server).count("\n"))
        figures = {
            "offices": opts.offices, "concurrent": opts.concurrent, "rounds": opts.rounds, "server_cases": cases,
            "setup_s": round(setup, 1), "syncs": len(syncs),
            "sync_p50_s": pct(syncs, 50), "sync_p95_s": pct(syncs, 95), "sync_max_s": round(max(syncs), 3),
            "sync_peak_mb": round(max(x["peak_mb"] for x in results), 1),
            "syncs_that_gave_up_first": sum(1 for x in results if x["gave_up"]),
            "pre_receive_runs": len(receive), "pre_receive_refused": refused,
            "pre_receive_p50_s": pct(receive, 50) if receive else None,
            "pre_receive_p95_s": pct(receive, 95) if receive else None,
            "uptime_before": before,
            "uptime_after": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
        }
    finally:
        if opts.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(figures, ensure_ascii=False, indent=None if not opts.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

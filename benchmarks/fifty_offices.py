"""Fifty offices on one shared repository behind gitolite over sshd on 127.0.0.1: `sync` and
the server's pre-receive hook under load, as p50/p95, on the real clock.

    python benchmarks/fifty_offices.py --count 2000                    # build a 2,000-case server
    python benchmarks/fifty_offices.py --source /tmp/complaintctl-bench-…/office-10000
    python benchmarks/fifty_offices.py --count 300 --offices 4 --steps 8 --bursts 1 --burst-size 4   # quick

Runs as root (it makes gitolite's Unix user and an sshd; tests/gitolite_server.py, the set-up
tests/scenarios/test_gitolite.py uses too). The source is a sample office (`benchmarks/bench.py --keep`
leaves one; without --source one of --count cases is built on today's clock). Its policy gets
the offices B01…Bnn, one person each (login bnn, roles staff and dispatcher) and the admin;
its history goes into gitolite's `cases` before the hook (the admin's first push, judged when
it was made); then `complaintctl server init --layout gitolite` installs the hook, timed by a
wrapper, and every push is judged with the pusher gitolite names (GL_USER) and the server's
real clock. Each office is a sparse clone (the hooks, this month's cases) pushing over ssh
with its own key, as its own person, numbering cases with its code.

A *step* is one write by an office: `new` (each complaint its own complainant, contact and
subject, so none is a repeat, R-AS-5), or the next step of its oldest open complaint
(assign, plan, resolve, revisit, close), followed by that office's `sync` (timed: wall, CPU
of the sync and its git/ssh children, peak memory — the whole wait until the work is on main,
re-runs after "the remote kept moving" included). Two phases, each bounded in count:
- **peak**: `--steps` steps arriving as a Poisson process at `--rate` steps an hour across
  the offices (each at a random office; an office does one thing at a time);
- **burst**: `--bursts` times, `--burst-size` offices take a step, then all sync at once.
Then every office syncs once more and the server is checked: every complaint each office
recorded is on main exactly once, in the state its office last left it (lost / duplicate).
The server's CPU (sshd's sessions: gitolite, git, the hook) is read from sshd's children's
times, so CPU per sync = the client's share + the server's share. Traffic: 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.gitolite_server import Gitolite, serve  # noqa: E402  (the repository root, above)

SAMPLE_ARGS = ["--seed", "1", "--since", "2026-01-01", "--until", "2026-10-31", "--history"]
TZ = timezone(timedelta(hours=8))  # the presets' Asia/Shanghai: this month's folder and plan dues
ADMIN = "admin"


def name_of(code: str) -> str:
    return f"{code}客服"


def env(who: str | None = None, ssh: str | None = None) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "COMPLAINTCTL_"))}
    e.pop("PYTHONDONTWRITEBYTECODE", None)
    name, email = (name_of(who.upper()), f"{who}@example.com") if who else ("张敏", "zhangmin@example.com")
    e.update(GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email, GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email)
    if ssh:
        e["GIT_SSH_COMMAND"] = ssh
    return e


def sh(*argv: str, cwd: Path | None = None, who: str | None = None, ssh: str | None = None) -> str:
    proc = subprocess.run(argv, cwd=cwd, env=env(who, ssh), capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.strip()[-1500:]}")
    return proc.stdout


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    cpu_s: float  # user + system of the command and the children it waited for (git, ssh)
    out: str
    err: str


class Failed(Exception):
    def __init__(self, message: str, run: Run) -> None:
        super().__init__(message)
        self.run = run


def cli(root: Path, *args: str, who: str | None = None) -> Run:
    """One complaintctl run in `root`, timed (peak memory and CPU through GNU time)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as stats:
        argv = ["/usr/bin/time", "-f", "%M %U %S", "-o", stats.name,
                sys.executable, "-m", "complaintctl", "-C", str(root), *args]
        start = time.perf_counter()
        proc = subprocess.run(argv, env=env(who), capture_output=True, text=True, timeout=900)
        elapsed = time.perf_counter() - start
        last = (stats.read().strip().splitlines() or ["0 0 0"])[-1].split()
    run = Run(elapsed, float(last[0]) / 1024, float(last[1]) + float(last[2]), proc.stdout, proc.stderr)
    if proc.returncode != 0:
        raise Failed(f"complaintctl {' '.join(args)} in {root.name} failed: {proc.stderr[-1500:]}", run)
    return run


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))], 3)


def month_folder() -> str:
    today = datetime.now(TZ)
    return f"cases/{today:%Y/%m}"


def prepare(work: Path, source: Path | None, count: int, codes: list[str]) -> Path:
    """The group's repository: the source (or a sample of `count`) with the offices and their
    people in its policy. Returns it (gitolite's repository is filled from it)."""
    seed = work / "seed"
    if source is None:
        cli(work, "init", str(seed), "--preset", "property", "--office", "SZ")
        cli(seed, "sample", "--count", str(count), *SAMPLE_ARGS)
    else:
        sh("git", "clone", "-q", "--no-hardlinks", str(source), str(seed))
        sh("git", "config", "core.hooksPath", "hooks", cwd=seed)
    policy = seed / "complaintctl.yaml"
    text = policy.read_text(encoding="utf-8")
    offices = "offices:\n  SZ: 示例物业服务中心\n  HQ: 集团客户关系协调中心\n" + "".join(
        f"  {c}: 分公司{c}\n" for c in codes)
    people = "people:\n" + "".join(
        f"  - {{name: {name_of(c)}, email: {c.lower()}@example.com, login: {c.lower()}, office: {c}, "
        "unit: customer-service, roles: [staff, dispatcher]}\n" for c in codes) + (
        f"  - {{name: 集团管理员, email: {ADMIN}@example.com, login: {ADMIN}, office: HQ, "
        "unit: management-office, roles: [hq]}\n")
    if "\npeople:\n" not in text:
        raise SystemExit("the source's policy has no people: list")
    policy.write_text(text.replace("\npeople:\n", f"\n{offices}\n{people}", 1), encoding="utf-8")
    sh("git", "commit", "-q", "-am", f"group policy: {len(codes)} offices, their people and logins", cwd=seed)
    return seed


def gitolite_conf(codes: list[str]) -> str:
    """docs/server.md's configuration for these offices: each may push main, never rewind it."""
    logins = " ".join(c.lower() for c in codes)
    return (f"@offices = {logins}\n@hq = {ADMIN}\n\nrepo gitolite-admin\n    RW+ = {ADMIN}\n\n"
            "repo cases\n    RW+ = @hq\n    RW main = @offices\n")


@dataclass
class Office:
    code: str
    root: Path
    lock: threading.Lock = field(default_factory=threading.Lock)
    steps_done: int = 0
    open: list[tuple[str, int]] = field(default_factory=list)  # (case ID, index of its next step)
    expected: dict[str, str] = field(default_factory=dict)  # case ID → status its last step left

    @property
    def login(self) -> str:
        return self.code.lower()


def make_clones(work: Path, server: Gitolite, codes: list[str]) -> list[Office]:
    """The first office clones over ssh (sparse: hooks and this month) and builds its read
    index; the others clone it locally, sharing its objects, and copy the index."""
    folder = month_folder()
    offices = []
    for code in codes:
        root = work / "offices" / code
        root.parent.mkdir(parents=True, exist_ok=True)
        ssh = server.ssh_command(code.lower())
        if not offices:
            sh("git", "clone", "-q", "--no-checkout", server.url, str(root), ssh=ssh)
        else:
            sh("git", "clone", "-q", "--shared", "--no-checkout", str(offices[0].root), str(root))
            sh("git", "remote", "set-url", "origin", server.url, cwd=root)
        sh("git", "sparse-checkout", "set", "--cone", "hooks", folder, cwd=root)
        sh("git", "checkout", "-q", "main", cwd=root)
        for key, value in (("core.hooksPath", "hooks"), ("core.sshCommand", ssh), ("gc.auto", "0"),
                           ("complaintctl.office", code)):
            sh("git", "config", key, value, cwd=root)
        if not offices:
            run = cli(root, "list", "--status", "open", who=code.lower())  # builds the read index once
            print(f"first clone's read index: {run.seconds:.1f} s, {run.peak_mb:.0f} MB", flush=True)
        else:
            shutil.copytree(offices[0].root / ".git" / "complaintctl", root / ".git" / "complaintctl")
        offices.append(Office(code, root))
    return offices


def step_args(office: Office, case: str, k: int) -> list[str]:
    due = (datetime.now(TZ) + timedelta(days=1)).strftime("%Y-%m-%d")
    me = name_of(office.code)
    return [["assign", case, "--handler", me, "--unit", "customer-service"],
            ["plan", case, "--resolver", me, "--measures", "更换主板", "--due", due],
            ["resolve", case, "--outcome", "repair", "--summary", "已修复"],
            ["revisit", case, "--satisfaction", "satisfied"],
            ["close", case, "--root-cause", "备件不足", "--lesson", "常备主板"]][k]


def status(root: Path, case: str) -> str:
    path = next((root / "cases").rglob(f"{case}.yaml"))
    found = re.search(r"^status: (\S+)", path.read_text(encoding="utf-8"), re.MULTILINE)
    return found.group(1) if found else "?"


def take_step(office: Office) -> None:
    """One write: a new complaint every third step (or when none is open), else the next step
    of the oldest open one."""
    office.steps_done += 1
    n = office.steps_done
    if n % 3 == 1 or not office.open:
        # Each complaint its own complainant, contact and subject: none is a repeat (R-AS-5).
        number = int(office.code[1:]) * 10000 + n
        run = cli(office.root, "new", "--json", "--channel", "phone", "--name", f"业主{office.code}{n}",
                  "--contact", f"139{number:08d}", "--complainant-class", "owner", "--category", "work-efficiency",
                  "--subject", f"{office.code}n{n}门禁", "--details", "门禁卡失灵", who=office.login)
        case = json.loads(run.out)["id"]
        if "R-AS-5" in run.err:  # a repeat goes to senior staff: this office's clerk could not assign it
            raise Failed(f"{case} was taken for a repeat complaint: {run.err.strip()}", run)
        office.open.append((case, 0))
    else:
        case, k = office.open.pop(0)
        cli(office.root, *step_args(office, case, k), who=office.login)
        if k + 1 < 5:
            office.open.insert(0, (case, k + 1))
    office.expected[case] = status(office.root, case)


def timed_sync(office: Office, reruns: int = 5) -> dict[str, float]:
    """`sync` until the office's work is on main, as its clerk would: after "the remote kept
    moving" (others pushed first until its back-off budget ran out) run it again, up to `reruns` times. Time
    and CPU are the whole wait, re-runs included; "abandoned" if every run gave up (the
    final check syncs it later)."""
    seconds = cpu = mb = 0.0
    gave_up = attempts = 0
    for _ in range(reruns + 1):
        try:
            run = cli(office.root, "sync", "--json", who=office.login)
        except Failed as exc:
            if "kept moving" not in str(exc):
                raise
            seconds, cpu, mb = seconds + exc.run.seconds, cpu + exc.run.cpu_s, max(mb, exc.run.peak_mb)
            tried = re.search(r"gave up after (\d+) attempts", str(exc))
            gave_up, attempts = gave_up + 1, attempts + (int(tried.group(1)) if tried else 1)
            continue
        attempts += json.loads(run.out)["attempts"]
        print(f"  {office.code} sync {seconds + run.seconds:.1f} s, {attempts} attempt(s)", file=sys.stderr, flush=True)
        return {"sync_s": seconds + run.seconds, "cpu_s": cpu + run.cpu_s, "peak_mb": max(mb, run.peak_mb),
                "gave_up": float(gave_up), "attempts": float(attempts), "abandoned": 0.0}
    return {"sync_s": seconds, "cpu_s": cpu, "peak_mb": mb, "gave_up": float(gave_up), "attempts": float(attempts),
            "abandoned": 1.0}


def peak(offices: list[Office], steps: int, rate: float, rng: random.Random) -> list[dict[str, float]]:
    """`steps` arrivals, Poisson at `rate` an hour, each a random office's step and sync."""
    results: list[dict[str, float]] = []

    def arrival(office: Office) -> None:
        with office.lock:
            take_step(office)
            results.append(timed_sync(office))
            print(f"peak: {len(results)}/{steps} syncs", file=sys.stderr, flush=True)

    start = time.monotonic()
    at = 0.0
    with ThreadPoolExecutor(len(offices)) as pool:
        futures = []
        for _ in range(steps):
            at += rng.expovariate(rate / 3600)
            time.sleep(max(0.0, start + at - time.monotonic()))
            futures.append(pool.submit(arrival, rng.choice(offices)))
        for f in futures:
            f.result()
    return results


def burst(offices: list[Office], bursts: int, size: int, rng: random.Random) -> list[dict[str, float]]:
    """`bursts` times: `size` offices each take a step, then all sync at the same moment."""
    results: list[dict[str, float]] = []
    with ThreadPoolExecutor(size) as pool:
        for _ in range(bursts):
            chosen = rng.sample(offices, size)
            list(pool.map(take_step, chosen))
            gate = threading.Barrier(size)

            def go(office: Office, gate: threading.Barrier = gate) -> dict[str, float]:
                gate.wait()
                return timed_sync(office)

            results.extend(pool.map(go, chosen))
    return results


def check(server: Gitolite, offices: list[Office]) -> dict[str, int]:
    """Every complaint recorded is on the server's main once, in the state its office left it."""
    for office in offices:  # converge: what an abandoned sync left behind goes up now
        if sh("git", "rev-list", "--count", "origin/main..HEAD", cwd=office.root).strip() != "0":
            timed_sync(office)
    listing = subprocess.run(["git", "-C", str(server.repo), "-c", f"safe.directory={server.repo}", "ls-tree", "-r",
                              "--name-only", "main", "--", "cases"], capture_output=True, text=True, timeout=600,
                             check=True).stdout.split()
    stems = [Path(p).stem for p in listing if p.endswith(".yaml")]
    seen = set(stems)
    lost = stale = 0
    for office in offices:
        for case, want in office.expected.items():
            if case not in seen:
                lost += 1
                continue
            path = next(p for p in listing if Path(p).stem == case)
            text = subprocess.run(["git", "-C", str(server.repo), "-c", f"safe.directory={server.repo}", "show",
                                   f"main:{path}"], capture_output=True, text=True, timeout=60, check=True).stdout
            if f"\nstatus: {want}\n" not in f"\n{text}":
                stale += 1
    return {"server_cases": len(stems), "recorded": sum(len(o.expected) for o in offices), "lost": lost,
            "duplicate_ids": len(stems) - len(seen), "last_step_missing": stale}


def summary(results: list[dict[str, float]], hooks: list[list[str]], t0: float, t1: float,
            server_cpu: float) -> dict[str, object]:
    runs = [float(h[2]) - float(h[1]) for h in hooks if h[0] == "hook-pre-receive" and t0 <= float(h[1]) <= t1]
    syncs = [r["sync_s"] for r in results]
    client = sum(r["cpu_s"] for r in results)
    return {
        "syncs": len(syncs), "seconds": round(t1 - t0, 1),
        "sync_p50_s": pct(syncs, 50), "sync_p95_s": pct(syncs, 95), "sync_max_s": round(max(syncs, default=0), 3),
        "syncs_that_gave_up": sum(1 for r in results if r["gave_up"]),  # "kept moving" six times running
        "syncs_abandoned": sum(1 for r in results if r["abandoned"]),
        "syncs_that_lost_a_race": sum(1 for r in results if r["attempts"] > 1 or r["gave_up"]),
        "attempts_max": int(max((r["attempts"] for r in results), default=0)),
        "pre_receive_runs": len(runs), "pre_receive_p50_s": pct(runs, 50), "pre_receive_p95_s": pct(runs, 95),
        "cpu_s_per_sync_client": round(client / max(1, len(syncs)), 3),
        "cpu_s_per_sync_server": round(server_cpu / max(1, len(syncs)), 3),
        "sync_peak_mb": round(max((r["peak_mb"] for r in results), default=0), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, help="a sample office to serve (else one of --count is built)")
    parser.add_argument("--count", type=int, default=2000, help="cases in the built office (without --source)")
    parser.add_argument("--offices", type=int, default=50)
    parser.add_argument("--rate", type=float, default=1000, help="peak arrival rate, steps an hour (Poisson)")
    parser.add_argument("--steps", type=int, default=150, help="steps in the peak phase")
    parser.add_argument("--bursts", type=int, default=3)
    parser.add_argument("--burst-size", type=int, default=10, help="offices syncing at once in a burst")
    parser.add_argument("--seed", type=int, default=1, help="the arrivals' random seed")
    parser.add_argument("--work", type=Path, help="work folder (default: a temporary one, removed)")
    opts = parser.parse_args(argv)
    # `timeout`/`kill` end the run through the clean-up below (sshd, gitolite's user, files).
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    codes = [f"B{i:02d}" for i in range(1, opts.offices + 1)]
    rng = random.Random(opts.seed)
    work = opts.work or Path(tempfile.mkdtemp(prefix="complaintctl-offices-"))
    work.mkdir(parents=True, exist_ok=True)
    work.chmod(0o755)  # gitolite's user fetches the seed from here
    before = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    figures: dict[str, object] = {"uptime_before": before}
    try:
        t0 = time.perf_counter()
        seed = prepare(work, opts.source, opts.count, codes)
        with serve([ADMIN, *(c.lower() for c in codes)], gitolite_conf(codes), fill=seed, timed=True) as server:
            offices = make_clones(work, server, codes)
            figures["setup_s"] = round(time.perf_counter() - t0, 1)
            print(f"setup: {figures['setup_s']} s ({opts.offices} clones)", flush=True)
            assert server.hook_log is not None
            for name, phase in (("peak", lambda: peak(offices, opts.steps, opts.rate, rng)),
                                ("burst", lambda: burst(offices, opts.bursts, opts.burst_size, rng))):
                cpu, start = server.server_cpu_s(), time.time()
                results = phase()
                end = time.time()
                hooks = [line.split() for line in server.hook_log.read_text(encoding="utf-8").splitlines()]
                figures[name] = summary(results, hooks, start, end, server.server_cpu_s() - cpu)
                print(f"{name}: {json.dumps(figures[name])}", flush=True)
            hooks = [line.split() for line in server.hook_log.read_text(encoding="utf-8").splitlines()]
            figures["pre_receive_refused"] = sum(1 for h in hooks if h[3] != "0")
            figures["check"] = check(server, offices)
    finally:
        figures["uptime_after"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
        if opts.work is None:
            shutil.rmtree(work, ignore_errors=True)
        signal.signal(signal.SIGTERM, previous)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The cost of encrypted complainant fields (R-RT-5) at 10,000 cases: a copy of a plain office
and a copy made private (every case's protected fields sealed, as a migration would), timed
side by side with the real CLI (benchmarks/bench.py's runner: a subprocess per command).

    python benchmarks/privacy.py --source /work/bench/o10k --work /tmp/privacy-bench

The source is copied, never changed. Printed: the migration (seal per case), in-process
seal/reveal per case, and `show`, `new`, a cold index rebuild (`list --status open` with no
index), `search` (the private index cold, warm, and after one more case) and `export` on both
copies; `uptime` before and after (the machine's load).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench  # noqa: E402

ACTOR = ("张敏", "zhangmin@example.com")


def _sh(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(args, cwd=cwd, check=True, capture_output=True, text=True, timeout=3600).stdout


def make_private(repo: Path, keydir: Path) -> dict[str, float]:
    """Seal every case of `repo` in place, as a migration of the current state would."""
    from pyrage import x25519

    from complaintctl.model.case import load_plain
    from complaintctl.privacy import casekeys, officekeys
    from complaintctl.privacy.document import protect
    from complaintctl.privacy.keyring import Keyring
    from complaintctl.repo.git import Git, Identity
    from complaintctl.repo.workspace import open_workspace

    keydir.mkdir(parents=True, exist_ok=True)
    _sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keydir / "id"))
    public = (keydir / "id.pub").read_text(encoding="utf-8").strip()
    recovery = str(x25519.Identity.generate().to_public())
    policy = repo / "complaintctl.yaml"
    text = policy.read_text(encoding="utf-8")
    text = text.replace(f"email: {ACTOR[1]},", f'email: {ACTOR[1]}, key: "{public}",', 1)
    text = text.replace("\npeople:\n", f'\nprivacy: {{required: true, recovery: "{recovery}"}}\npeople:\n', 1)
    policy.write_text(text, encoding="utf-8")
    os.environ["COMPLAINTCTL_IDENTITY"] = str(keydir / "id")
    ws = open_workspace(repo)
    office = ws.policy.office
    keys = officekeys.new_keys(office, 1)
    for path, data in officekeys.epoch_files(keys, officekeys.recipients(ws.policy, office), ACTOR[0],
                                             bench_now()).items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_bytes(data)
    ring = Keyring.open(repo, Git.open(repo))
    files = sorted((repo / "cases").rglob("*.yaml"))
    texts = [f.read_text(encoding="utf-8") for f in files]
    start = time.perf_counter()
    docs = [load_plain(t, f.name) for t, f in zip(texts, files, strict=True)]
    parsed = time.perf_counter() - start
    start = time.perf_counter()
    made = {}
    for doc in docs:
        new = protect(doc, office, ring)
        if new is not None:
            made[new.kid] = new.entry
    sealed = time.perf_counter() - start
    for f, text, doc in zip(files, texts, docs, strict=True):
        f.write_text(_splice(text, doc), encoding="utf-8")
    start = time.perf_counter()
    casekeys.add(Git.open(repo), office, made, Identity(*ACTOR))
    ref = time.perf_counter() - start
    _sh("git", "add", "-A", cwd=repo)
    _sh("git", "-c", f"user.name={ACTOR[0]}", "-c", f"user.email={ACTOR[1]}", "commit", "-q", "--no-verify",
        "-m", "privacy: seal the current state", cwd=repo)
    return {"cases": len(files), "parse_s": round(parsed, 2), "seal_s": round(sealed, 2),
            "seal_ms_per_case": round(1000 * sealed / len(files), 3), "casekeys_ref_s": round(ref, 2)}


def _splice(text: str, sealed: dict[str, object]) -> str:
    """`text` with each protected scalar replaced by its marker in place (libyaml's node
    positions), so the rest of the file stays byte for byte as it was."""
    import yaml

    from complaintctl.model.case import get
    from complaintctl.privacy.marker import ENCRYPTED_FIELDS

    root = yaml.compose(text, Loader=yaml.CSafeLoader)
    spans = []
    for path in ENCRYPTED_FIELDS:
        node = root
        for part in path.split("."):
            node = next((v for k, v in node.value if k.value == part), None) if node is not None else None
        value = get(sealed, path)
        if node is not None and isinstance(value, str) and value.startswith("ENC["):
            spans.append((node.start_mark.index, node.end_mark.index, value))
    for start, end, value in sorted(spans, reverse=True):
        text = text[:start] + value + text[end:]
    return text


def bench_now() -> datetime:
    return datetime.fromisoformat(bench.NOW)


def in_process(repo: Path) -> dict[str, float]:
    """Reading every case file and revealing it, against reading it alone (one process)."""
    from complaintctl.model.case import load_plain
    from complaintctl.privacy.document import reveal
    from complaintctl.privacy.keyring import Keyring
    from complaintctl.repo.git import Git

    texts = [(f.name, f.read_text(encoding="utf-8")) for f in sorted((repo / "cases").rglob("*.yaml"))]
    start = time.perf_counter()
    docs = [load_plain(t, n) for n, t in texts]
    parse = time.perf_counter() - start
    ring = Keyring.open(repo, Git.open(repo))
    start = time.perf_counter()
    shown = [reveal(d, ring) for d in docs]
    revealed = time.perf_counter() - start
    assert all("ENC[" not in str(s.get("intake")) for s in shown)
    return {"parse_s": round(parse, 2), "reveal_s": round(revealed, 2),
            "reveal_ms_per_case": round(1000 * revealed / len(docs), 3)}


def drop_private() -> None:
    """Every private search index of this run (XDG_CACHE_HOME is the run's own folder)."""
    for found in Path(os.environ["XDG_CACHE_HOME"]).glob("complaintctl/*/private.sqlite*"):
        found.unlink()


def cli(repo: Path, runs: int) -> dict[str, dict[str, float]]:
    case = bench._some_case(repo)
    out: dict[str, dict[str, float]] = {}

    def timed(name: str, args: list[str], n: int, cold: bool = False) -> None:
        times, peaks = [], []
        for _ in range(n):
            if cold:
                bench.drop_cache(repo)
            seconds, mb, _ = bench.run(args, repo)
            times.append(seconds)
            peaks.append(mb)
        out[name] = bench.summary(times, peaks)

    timed("show", ["show", case], runs)
    timed("new", bench._new_args(repo), max(3, runs // 2))
    timed("rebuild-cold", ["list", "--status", "open"], 1, cold=True)
    # search: the key holder's private index (repo/index/private.py) built cold (the shared
    # index fresh), then warm, then after one more case (its O(changed) refresh)
    drop_private()
    timed("search-private-cold", ["search", "漏水"], 1)
    timed("search", ["search", "漏水"], runs)
    times, peaks = [], []
    for _ in range(max(3, runs // 2)):
        bench.run(bench._new_args(repo), repo)
        seconds, mb, _ = bench.run(["search", "漏水"], repo)
        times.append(seconds)
        peaks.append(mb)
    out["search-after-new"] = bench.summary(times, peaks)
    timed("export", ["export", "--period", "2026-06", "--csv", str(repo.parent / f"{repo.name}.csv")], 2)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, default=Path("/work/bench/o10k"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/privacy-bench"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    plain, private = args.work / "plain", args.work / "private"
    for dest in (plain, private):
        _sh("cp", "-a", str(args.source), str(dest))
        # the copy's hooks run this checkout's complaintctl, as the CLI timed does
        _sh(sys.executable, "-m", "complaintctl", "-C", str(dest), "hook", "install")
    os.environ.update(GIT_AUTHOR_NAME=ACTOR[0], GIT_AUTHOR_EMAIL=ACTOR[1], GIT_COMMITTER_NAME=ACTOR[0],
                      GIT_COMMITTER_EMAIL=ACTOR[1])
    os.environ["XDG_CACHE_HOME"] = str(args.work / "cache")  # the key cache and private index: this run's own
    before = _sh("uptime").strip()
    migration = make_private(private, args.work / "keys")
    reading = in_process(private)
    timed = {"plain": cli(plain, args.runs), "private": cli(private, args.runs)}
    ratios = {k: round(timed["private"][k]["median_s"] / timed["plain"][k]["median_s"], 2) for k in timed["plain"]}
    print(json.dumps({"uptime_before": before, "migration": migration, "in_process": reading, **timed,
                      "private/plain": ratios, "uptime_after": _sh("uptime").strip()}, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

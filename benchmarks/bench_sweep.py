"""Time `complaintctl sweep` over N cases (default 10,000, of which 200 are overdue).

    python benchmarks/bench_sweep.py [N] [OVERDUE] [DIR]

Builds a realestate office with N open cases in one commit (made in memory by the same
steps the CLI runs), warms the read index, then times `sweep.run` twice: the first run
upgrades/reminds the overdue cases in one commit, the second finds nothing to do.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from complaintctl.handling import steps, sweep
from complaintctl.model.ids import case_id_for
from complaintctl.repo import index, office, store
from complaintctl.repo.git import Identity
from complaintctl.repo.workspace import open_workspace

ACTOR = Identity("周倩", "zhouqian@example.com")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def build(root: Path, n: int, overdue: int) -> None:
    office.init_office(root, "realestate", "BJ")
    ws = open_workspace(root)
    serial: dict[tuple[int, int], int] = {}
    for i in range(n):
        # `overdue` cases received weeks ago and still open; the rest yesterday, answered.
        ago = timedelta(days=20 + i % 30, hours=i % 7) if i < overdue else timedelta(days=1, minutes=i % 600)
        received = NOW - ago
        key = (received.year, received.month)
        serial[key] = serial.get(key, 0) + 1
        cid = case_id_for("BJ", received, serial[key])
        intake = steps.Intake(channel="phone", name="客户", contact="13800138000", complainant_class="owner",
                              category="engineering-quality", subject=f"case {i}", details="d",
                              received_at=received)
        doc = steps.build_case(ws.policy, str(cid), intake, received, ACTOR)
        doc, _, _ = steps.apply(doc, steps.note("回电", True)(doc), received + timedelta(minutes=2), ACTOR,
                                ws.policy)
        store.write_atomic(root / cid.relpath, store.dump_document(doc))
    subprocess.run(["git", "add", "cases"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-q", "--no-verify", "-m", f"{n} cases"], cwd=root, check=True)


def timed(label: str, fn: object) -> object:
    start = time.perf_counter()
    result = fn()  # type: ignore[operator]
    print(f"{label}: {time.perf_counter() - start:.2f}s")
    return result


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    overdue = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    root = Path(sys.argv[3]) if len(sys.argv) > 3 else Path(tempfile.mkdtemp()) / "office"
    for var in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        os.environ[var] = ACTOR.name
    for var in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        os.environ[var] = ACTOR.email
    if not (root / "complaintctl.yaml").exists():
        timed(f"build {n} cases", lambda: build(root, n, overdue))
    ws = open_workspace(root)
    timed("index (cold or warm)", lambda: index.load_records(ws))
    found = timed("sweep.candidates", lambda: sweep.candidates(ws, NOW))
    print(f"  {len(found)} candidate(s)")  # type: ignore[arg-type]
    first = timed("sweep.run #1 (one commit)", lambda: sweep.run(ws, NOW, ACTOR))
    print(f"  {len(first.changes)} case(s) changed")  # type: ignore[attr-defined]
    second = timed("sweep.run #2 (nothing to do)", lambda: sweep.run(ws, NOW, ACTOR))
    print(f"  {len(second.changes)} case(s) changed, commit {second.commit}")  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()

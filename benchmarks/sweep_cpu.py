"""CPU per case of a sweep's work on late cases (load, plan the steps, write, judge), in one
process, without the commit: the figure the first sweep over a backlog is made of.

    python benchmarks/bench_sweep.py 2000 2000 /tmp/sw/office   # build an office of late cases once
    python benchmarks/sweep_cpu.py /tmp/sw/office [N]           # then: ms CPU per case over N of them

CPU time (time.process_time), so the figure moves less with the machine's load than wall time.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_sweep import ACTOR, NOW  # noqa: E402


def main() -> None:
    from complaintctl.handling import lifecycle, sweep
    from complaintctl.model.case import dump_document, load_plain
    from complaintctl.policy.calendar import WorkCalendar
    from complaintctl.repo import store
    from complaintctl.repo.workspace import open_workspace
    from complaintctl.rules.validate import check_case
    ws = open_workspace(Path(sys.argv[1]))
    ids = sweep.candidates(ws, NOW)[: int(sys.argv[2]) if len(sys.argv) > 2 else 300]
    cal = WorkCalendar.from_policy(ws.policy)
    commit = lifecycle.commit_for(ws, ACTOR)
    t = {"load": 0.0, "plan": 0.0, "dump": 0.0, "check": 0.0}
    for case_id in ids:
        a = time.process_time()
        loaded = store.load_case(ws, case_id)
        previous = load_plain(loaded.text, loaded.relpath, ws.policy.limits)
        b = time.process_time()
        doc, actions = sweep._plan(loaded.doc, ws, cal, NOW, ACTOR)
        c = time.process_time()
        text = dump_document(doc)
        d = time.process_time()
        data = load_plain(text, loaded.relpath, ws.policy.limits)
        check_case(loaded.relpath, data, previous, ws.policy, NOW, commit)
        e = time.process_time()
        for key, spent in (("load", b - a), ("plan", c - b), ("dump", d - c), ("check", e - d)):
            t[key] += spent
    per = {k: round(v / len(ids) * 1000, 1) for k, v in t.items()}
    print(f"{len(ids)} late cases: {per} ms CPU per case; total {sum(t.values()) / len(ids) * 1000:.1f} ms")

if __name__ == "__main__":
    main()

"""Time the UI's pages on a large office: `python benchmarks/ui_pages.py OFFICE [--runs N]`.

Starts `complaintctl ui` on OFFICE (a copy: the first page brings its read index up to date),
signs in as a browser does, then asks each page N times and prints the median and the slowest,
wall time as the browser waits for it. The clock is pinned to the office's last day
(COMPLAINTCTL_NOW, default 2026-10-31T18:00:00+08:00) so the clocks are the office's own.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.web.uiserver import running  # noqa: E402


def cpu_seconds(pid: int) -> float:
    """The server's CPU time so far, with the git commands it ran and waited for (user + system,
    /proc): on a shared machine the wall time a page takes says as much about the other processes
    as about the page."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("office", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--now", default="2026-10-31T18:00:00+08:00")
    args = parser.parse_args()
    env = {**os.environ, "COMPLAINTCTL_NOW": args.now}
    os.environ["COMPLAINTCTL_NOW"] = args.now
    with running(args.office.resolve(), env) as ui:
        started = time.perf_counter()
        ui.sign_in()  # the first page: the read index brought up to date
        print(f"sign-in and first page (index refresh): {time.perf_counter() - started:.2f} s", flush=True)
        import subprocess

        paths = subprocess.run(["git", "ls-files", "cases"], cwd=args.office, capture_output=True, text=True,
                               check=True, timeout=120).stdout.split()
        case_id = Path(paths[len(paths) // 2]).stem
        pages = [("GET", "/mine", None), ("GET", f"/case/{case_id}", None), ("GET", f"/case/{case_id}/similar", None),
                 ("GET", "/board?within=2d", None), ("GET", "/board?within=2d&unit=engineering", None),
                 ("GET", "/new", None),
                 ("POST", "/new/check", {"name": "王女士", "contact": "13800138000", "subject": "电梯故障停运"}),
                 ("GET", "/report?period=2026-10", None)]
        out = {}
        for method, path, body in pages:
            times, cpu = [], []
            for _ in range(args.runs):
                c, t = cpu_seconds(ui.proc.pid), time.perf_counter()
                reply = ui.request(method, path, body)
                times.append(time.perf_counter() - t)
                cpu.append(cpu_seconds(ui.proc.pid) - c)
                assert reply.status == 200, (path, reply.status, reply.text[:300])
            out[path] = {"median_ms": round(statistics.median(times) * 1000), "max_ms": round(max(times) * 1000),
                         "cpu_median_ms": round(statistics.median(cpu) * 1000)}
            print(f"{method:4} {path:45} wall median {out[path]['median_ms']:6} ms, max {out[path]['max_ms']:6} ms;"
                  f" server CPU median {out[path]['cpu_median_ms']:5} ms", flush=True)
        print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

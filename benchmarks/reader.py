"""The strict case reader against the libyaml floor (the cold-read target in BENCHMARKS.md).

Reads every case file of a repository once into memory, then times, alternately so that
machine load hits both alike, `yaml.load(text, Loader=yaml.CSafeLoader)` (PyYAML's libyaml
loader: the floor) and `complaintctl.model.case.load_plain` (the strict reader every layer
uses). Prints the median per-file time of each and their ratio.

    python benchmarks/reader.py [REPO] [--rounds 7]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from complaintctl.model.case import load_plain


def timed(texts: list[str], load: Callable[[str], object]) -> float:
    start = time.perf_counter()
    for text in texts:
        load(text)
    return (time.perf_counter() - start) / len(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", nargs="?", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    paths = sorted(Path(args.repo, "cases").rglob("*.yaml"))
    texts = [p.read_text(encoding="utf-8") for p in paths]
    same = sum(load_plain(t, "x") == yaml.load(t, Loader=yaml.CSafeLoader) for t in texts)
    floor, strict = [], []
    for _ in range(args.rounds):
        floor.append(timed(texts, lambda t: yaml.load(t, Loader=yaml.CSafeLoader)))
        strict.append(timed(texts, lambda t: load_plain(t, "x")))
    f, s = statistics.median(floor), statistics.median(strict)
    print(f"{len(texts)} case files, {args.rounds} rounds (medians); identical results: {same}/{len(texts)}")
    print(f"libyaml CSafeLoader: {f * 1e6:7.0f} µs/file")
    print(f"strict load_plain:   {s * 1e6:7.0f} µs/file")
    print(f"ratio strict/floor:  {s / f:7.2f}")


if __name__ == "__main__":
    main()

"""The read path: every case as a record, parsed once per git blob and cached.

A report over 100,000 cases must not re-parse 100,000 YAML files. `git ls-files -s`
gives each case file's blob id in one call; records are cached by blob id in
`.git/complaintctl/records.sqlite`, so only new or changed files are parsed.
Files edited in the working tree but not yet staged are always read fresh.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from complaintctl.case import SCHEMA_VERSION, CaseRecord, load_plain, to_plain
from complaintctl.errors import InvalidInput
from complaintctl.validate import is_case_path
from complaintctl.workspace import Workspace

CACHE_VERSION = f"{SCHEMA_VERSION}.1"


@dataclass(frozen=True)
class Entry:
    path: str
    blob: str | None  # None: not in the index as it is on disk
    data: dict[str, Any] | None  # None: the file could not be parsed
    error: str = ""


class RecordCache:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TABLE IF NOT EXISTS records (blob TEXT PRIMARY KEY, json TEXT NOT NULL)")
        self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        row = self.db.execute("SELECT value FROM meta WHERE key='version'").fetchone()
        if row is None or row[0] != CACHE_VERSION:
            self.db.execute("DELETE FROM records")
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (CACHE_VERSION,))
            self.db.commit()

    def load(self, wanted: set[str]) -> dict[str, dict[str, Any]]:
        out = {}
        for blob, text in self.db.execute("SELECT blob, json FROM records"):
            if blob in wanted:
                out[blob] = json.loads(text)
        return out

    def store(self, items: list[tuple[str, dict[str, Any]]]) -> None:
        if items:
            self.db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?)",
                                [(b, json.dumps(d, ensure_ascii=False)) for b, d in items])
            self.db.commit()

    def close(self) -> None:
        self.db.close()


def _parse(root: Path, path: str) -> tuple[dict[str, Any] | None, str]:
    try:
        text = (root / path).read_text(encoding="utf-8")
        return to_plain(load_plain(text, path)), ""
    except InvalidInput as exc:
        return None, str(exc)
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"{path}: cannot read: {exc}"


def entries(ws: Workspace, folders: Sequence[str] = ("cases",)) -> Iterator[Entry]:
    """Every case file in the working tree (or in `folders`), parsed (from cache where the blob is known)."""
    blobs = {p: b for p, b in ws.git.ls_blobs(*folders).items() if is_case_path(p)}
    dirty = {p for p in ws.git.dirty_paths(*folders) if is_case_path(p)}
    cache = RecordCache(ws.git.git_dir / "complaintctl" / "records.sqlite")
    try:
        clean = {p: b for p, b in blobs.items() if p not in dirty}
        known = cache.load(set(clean.values()))
        fresh: list[tuple[str, dict[str, Any]]] = []
        for path in sorted(set(blobs) | dirty):
            blob = clean.get(path)
            if blob is not None and blob in known:
                yield Entry(path, blob, known[blob])
                continue
            if not (ws.root / path).is_file():
                continue  # deleted in the working tree
            data, error = _parse(ws.root, path)
            if data is not None and blob is not None:
                fresh.append((blob, data))
            yield Entry(path, blob, data, error)
            if len(fresh) >= 500:
                cache.store(fresh)
                fresh = []
        cache.store(fresh)
    finally:
        cache.close()


def load_records(ws: Workspace, folders: Sequence[str] = ("cases",)) -> list[CaseRecord]:
    """All readable cases (or those in `folders`, e.g. `cases/2026/10`) as records.

    Unreadable files are `validate`'s business.
    """
    return [CaseRecord.from_data(e.data, e.path) for e in entries(ws, folders) if e.data is not None]

"""The read path: every case as a record, parsed once per git blob and cached.

A report over 100,000 cases must not re-parse 100,000 YAML files. `git ls-files -s`
gives each case file's blob id in one call; records are cached by blob id in
`.git/complaintctl/records.sqlite`, so only new or changed files are parsed.
Files edited in the working tree but not yet staged are always read fresh.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from itertools import repeat
from pathlib import Path
from typing import Any

from complaintctl.errors import InvalidInput
from complaintctl.model.case import SCHEMA_VERSION, CaseRecord, load_plain, to_plain
from complaintctl.repo.workspace import Workspace
from complaintctl.rules.validate import is_case_path

CACHE_VERSION = f"{SCHEMA_VERSION}.3"
PARALLEL_AT = 200  # files to parse before a process pool pays for itself
WINDOW = 2000  # files parsed and stored per round
_RECORD_FIELDS = tuple(f.name for f in fields(CaseRecord) if f.name not in ("path", "data"))


@dataclass(frozen=True)
class Entry:
    path: str
    blob: str | None  # None: not in the index as it is on disk
    data: dict[str, Any] | None  # None: the file could not be parsed
    error: str = ""


class LazyData(Mapping[str, Any]):
    """A cached case document, decoded from JSON only when something reads it: `list`
    needs the flat record fields, not 10,000 whole documents."""

    __slots__ = ("_data", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._data: dict[str, Any] | None = None

    def _load(self) -> dict[str, Any]:
        if self._data is None:
            self._data = json.loads(self._text)
        return self._data

    def __getitem__(self, key: str) -> Any:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


def _record_json(data: dict[str, Any], path: str) -> str:
    rec = CaseRecord.from_data(data, path)
    return json.dumps([getattr(rec, f) for f in _RECORD_FIELDS], ensure_ascii=False)


def _record(values: str, path: str, data: Mapping[str, Any]) -> CaseRecord:
    kw = dict(zip(_RECORD_FIELDS, json.loads(values), strict=True))
    kw["repeat_of"] = tuple(kw["repeat_of"])
    return CaseRecord(path=path, data=data, **kw)


class RecordCache:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        row = self.db.execute("SELECT value FROM meta WHERE key='version'").fetchone()
        if row is None or row[0] != CACHE_VERSION:
            self.db.execute("DROP TABLE IF EXISTS records")
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (CACHE_VERSION,))
        # record: the flat CaseRecord fields as a JSON list; json: the whole document
        self.db.execute("CREATE TABLE IF NOT EXISTS records "
                        "(blob TEXT PRIMARY KEY, record TEXT NOT NULL, json TEXT NOT NULL)")
        self.db.commit()

    def rows(self, wanted: set[str]) -> dict[str, tuple[str, str]]:
        """blob -> (record fields, document) as stored, undecoded."""
        return {blob: (rec, text) for blob, rec, text in self.db.execute("SELECT blob, record, json FROM records")
                if blob in wanted}

    def store(self, items: list[tuple[str, str, dict[str, Any]]]) -> None:
        """(blob, path, document) triples."""
        if items:
            self.db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?)",
                                [(b, _record_json(d, p), json.dumps(d, ensure_ascii=False)) for b, p, d in items])
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


def _fill(root: Path, cache: RecordCache, missing: list[tuple[str, str]]) -> dict[str, str]:
    """Parse the committed files the cache lacks — in a process pool when there are many
    (a fresh clone: each YAML parse costs milliseconds) — and store them, a window at a
    time so memory stays flat. Returns the parse errors by path."""
    from concurrent.futures import ProcessPoolExecutor

    errors: dict[str, str] = {}
    workers = min(os.cpu_count() or 1, 8)
    pool: ProcessPoolExecutor | None = None  # noqa: F821
    try:
        for i in range(0, len(missing), WINDOW):
            window = missing[i:i + WINDOW]
            paths = [p for p, _ in window]
            if len(missing) >= PARALLEL_AT and workers > 1:
                pool = pool or ProcessPoolExecutor(workers)
                results = list(pool.map(_parse, repeat(root), paths, chunksize=32))
            else:
                results = [_parse(root, p) for p in paths]
            items = []
            for (path, blob), (data, error) in zip(window, results, strict=True):
                if data is None:
                    errors[path] = error
                else:
                    items.append((blob, path, data))
            cache.store(items)
    finally:
        if pool is not None:
            pool.shutdown()
    return errors


def _scan(ws: Workspace, folders: Sequence[str]
          ) -> tuple[list[str], dict[str, str], RecordCache, dict[str, tuple[str, str]], dict[str, str]]:
    """Case paths (sorted), the blob of each clean one, the cache (filled for every clean
    file), its rows by blob, and the clean files that do not parse."""
    blobs = {p: b for p, b in ws.git.ls_blobs(*folders).items() if is_case_path(p)}
    dirty = {p for p in ws.git.dirty_paths(*folders) if is_case_path(p)}
    clean = {p: b for p, b in blobs.items() if p not in dirty}
    cache = RecordCache(ws.git.git_dir / "complaintctl" / "records.sqlite")
    try:
        wanted = set(clean.values())
        rows = cache.rows(wanted)
        missing = [(p, b) for p, b in sorted(clean.items()) if b not in rows]
        errors = _fill(ws.root, cache, missing) if missing else {}
        if missing:
            rows = cache.rows(wanted)
    except BaseException:
        cache.close()
        raise
    return sorted(set(blobs) | dirty), clean, cache, rows, errors


def _fresh(ws: Workspace, path: str) -> Entry | None:
    """A file changed in the working tree: always read as it is now, never cached."""
    if not (ws.root / path).is_file():
        return None  # deleted in the working tree
    data, error = _parse(ws.root, path)
    return Entry(path, None, data, error)


def entries(ws: Workspace, folders: Sequence[str] = ("cases",)) -> Iterator[Entry]:
    """Every case file in the working tree (or in `folders`), parsed (from cache where the blob is known)."""
    paths, clean, cache, rows, errors = _scan(ws, folders)
    try:
        for path in paths:
            blob = clean.get(path)
            if blob is None:
                entry = _fresh(ws, path)
                if entry is not None:
                    yield entry
            elif blob in rows:
                yield Entry(path, blob, json.loads(rows[blob][1]))
            else:
                yield Entry(path, blob, None, errors.get(path, f"{path}: cannot read"))
    finally:
        cache.close()


def load_records(ws: Workspace, folders: Sequence[str] = ("cases",)) -> list[CaseRecord]:
    """All readable cases (or those in `folders`, e.g. `cases/2026/10`) as records.

    Unreadable files are `validate`'s business. Cached cases cost one row each: the flat
    fields are decoded, the document only when something reads it.
    """
    paths, clean, cache, rows, _ = _scan(ws, folders)
    cache.close()
    out: list[CaseRecord] = []
    for path in paths:
        blob = clean.get(path)
        if blob is None:
            entry = _fresh(ws, path)
            if entry is not None and entry.data is not None:
                out.append(CaseRecord.from_data(entry.data, path))
        elif blob in rows:
            out.append(_record(rows[blob][0], path, LazyData(rows[blob][1])))
    return out

"""`complaintctl validate`: every case file in the working tree, against its committed version."""

from __future__ import annotations

from datetime import datetime

from complaintctl.repo import index
from complaintctl.repo.workspace import Workspace
from complaintctl.rules.finding import Finding
from complaintctl.rules.validate import check_case, check_texts, is_case_path


def validate_repository(ws: Workspace, now: datetime) -> tuple[int, list[Finding]]:
    """(files checked, findings). Unchanged files are judged on their own (from the cache);
    changed ones also against HEAD, as the pre-commit hook will."""
    changed = {p for p in ws.git.dirty_paths("cases") + ws.git.staged_paths() if is_case_path(p)}
    findings: list[Finding] = []
    count = 0
    idx = index.open_index(ws)
    try:
        for path, _, data, error in idx.entries():
            count += 1
            if data is None:
                findings.append(Finding(path, "(file)", "R-WF", error.split(": ", 1)[-1]))
            elif path in changed:
                text = (ws.root / path).read_text(encoding="utf-8")
                before = ws.git.show("HEAD", path) if ws.git.has_head() else None
                findings.extend(check_texts(path, text, before, ws.policy, now))
            else:
                findings.extend(check_case(path, data, None, ws.policy, now))
    finally:
        idx.close()
    head = ws.git.has_head()
    for path in sorted(changed):
        # R-CL-3: a case file deleted in the working tree (or staged for deletion) is a finding too.
        if not (ws.root / path).exists() and head and ws.git.show("HEAD", path) is not None:
            count += 1
            findings.extend(check_texts(path, None, None, ws.policy, now))
    return count, findings

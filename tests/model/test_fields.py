"""Field paths live in model/fields.py only: code elsewhere names a field by its constant, so a
typo is an error at import, not a silent None; and the constants follow the published schema."""

from __future__ import annotations

import io
import json
import re
import tokenize
from pathlib import Path

from complaintctl.model import fields as F

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = {"intake", "assessment", "accused", "routing", "plan", "resolution", "revisit", "closing", "clocks",
            "timeline"}


def _schema_paths() -> set[str]:
    schema = json.loads((ROOT / "templates" / "case.schema.json").read_text(encoding="utf-8"))
    out: set[str] = set()

    def walk(prefix: str, node: dict[str, object]) -> None:
        props = node.get("properties")
        for key, value in (props.items() if isinstance(props, dict) else ()):
            path = f"{prefix}.{key}" if prefix else key
            out.add(path)
            if isinstance(value, dict):
                walk(path, value)

    walk("", schema)
    return out


def test_every_schema_field_has_its_constant_and_no_other() -> None:
    assert set(F.ALL) == _schema_paths()


def test_no_dotted_field_path_outside_model() -> None:
    found = []
    paths = _schema_paths()
    for path in sorted((ROOT / "complaintctl").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("complaintctl/model/"):
            continue
        for tok in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
            if tok.type != tokenize.STRING:
                continue
            m = re.fullmatch(r"""[rRbBuU]?(["'])([a-z_]+)\.([a-z_.]*)\1""", tok.string)
            # a field's path, or a section's prefix ("plan."): a notice's "revisit.body" is neither
            if m and m.group(2) in SECTIONS and (not m.group(3) or f"{m.group(2)}.{m.group(3)}" in paths):
                found.append(f"{rel}:{tok.start[0]}: {tok.string}")
    assert not found, "field paths belong in model/fields.py:\n" + "\n".join(found)

"""The case schema an office's editor checks and completes against.

`templates/case.schema.json` describes the case file's shape; `init` writes the office's copy
with the office's own vocabularies as enums — channels, complainant classes, categories,
severities, units, outcomes — each key with its label, so an editor with yaml-language-server
(the modeline in every case file points at this copy) offers `work-efficiency  工作效率` where
the file wants a category. People's names are offered as examples, not enforced: the validator
decides who may act (R-RT-3, the ledger), not the editor.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from complaintctl.policy.policy import Policy
from complaintctl.policy.resources import template_path

SCHEMA_FILE = "templates/case.schema.json"

# (path of properties from the top, policy vocabulary)
VOCABULARY_FIELDS = (
    (("intake", "channel"), "channels"),
    (("intake", "complainant", "class"), "complainant_classes"),
    (("assessment", "category"), "categories"),
    (("assessment", "severity"), "severities"),
    (("accused", "unit"), "units"),
    (("routing", "unit"), "units"),
    (("resolution", "outcome"), "outcomes"),
)
PEOPLE_FIELDS = (("intake", "first_receiver"), ("routing", "handler"), ("plan", "resolver"), ("accused", "person"))


def _field(schema: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    node = schema
    for part in path:
        node = node["properties"][part]
    return node


def _labels(policy: Policy, vocabulary: str) -> Mapping[str, str]:
    return {key: policy.label(vocabulary, key) for key in getattr(policy, vocabulary)}


def office_schema(policy: Policy) -> dict[str, Any]:
    """The generic case schema with this office's vocabularies as enums."""
    schema: dict[str, Any] = copy.deepcopy(json.loads(template_path("case.schema.json").read_text(encoding="utf-8")))
    schema["title"] = f"complaintctl case file — office {policy.office} ({policy.name})"
    for path, vocabulary in VOCABULARY_FIELDS:
        node = _field(schema, path)
        labels = _labels(policy, vocabulary)
        kinds = node.get("type")
        nullable = kinds == "null" or (isinstance(kinds, list) and "null" in kinds)
        node["enum"] = [*labels, *([None] if nullable else [])]
        # enumDescriptions: what VS Code / yaml-language-server show beside each key (other tools ignore it)
        node["enumDescriptions"] = [*labels.values(), *([""] if nullable else [])]
    names = [p.name for p in policy.people if "system" not in p.roles]
    for path in PEOPLE_FIELDS:
        _field(schema, path)["examples"] = names
    return schema


def text_for(policy: Policy) -> str:
    return json.dumps(office_schema(policy), ensure_ascii=False, indent=2) + "\n"

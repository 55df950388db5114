"""The case file: one YAML document per complaint, round-tripped with comments and key order."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Any

from complaintctl.errors import InvalidInput, UnreadableCase
from complaintctl.model import reader, shape
from complaintctl.model.reader import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

# The round-trip library (ruamel.yaml) loads only where a document is edited or written: the
# readers (`show`, the hooks, the index) use the strict reader's libyaml alone.

SCHEMA_VERSION = 1
# Editors with yaml-language-server validate the file against the published schema; the path is
# relative to cases/YYYY/MM/, where every case file lives.
SCHEMA_MODELINE = "yaml-language-server: $schema=../../../templates/case.schema.json"
SECTION_COMMENTS = {
    "intake": "R-IN-1 intake record; received_at, first_receiver and id never change (R-IN-2)",
    "assessment": "R-AS-1 validity, R-AS-2 severity, R-AS-5 repeat links",
    "accused": "R-RT-3: the person complained about may not handle, resolve or close the case",
    "routing": "R-RT-1/R-RT-2: responsible unit, handler, heads copied, escalation level (R-ES-1)",
    "plan": "R-IN-4: resolver, measures, time limit",
    "timeline": "append-only: every step, contact and note, who and when",
}


def _yaml_rt() -> YAML:
    from ruamel.yaml import YAML

    y = YAML()
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 100
    y.allow_unicode = True
    # One time object in two places would be written as an anchor and an alias, which the
    # strict reader refuses: scalars are always written out. (Containers keep ruamel's own
    # rule: its empty-value style for None depends on them being tracked.)
    y.representer.ignore_aliases = lambda data: not isinstance(data, dict | list)
    return y


def decode(data: bytes, source: str) -> str:
    """A case file's bytes as text: UTF-8 only (R-WF), with a hint for the usual mistakes."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) > 1 and b"\x00" in data[:200]
                                                          and data.count(b"\x00") * 4 > min(len(data), 200)):
        raise UnreadableCase(source, [("(file)", "the file is UTF-16, not UTF-8: save it as UTF-8")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        bad = data[exc.start: exc.start + 2].hex(" ")
        raise UnreadableCase(source, [("(file)", f"line {line}: not UTF-8 (bytes {bad}; a GBK/GB18030 save from "
                                                 "an office editor?): save the file as UTF-8")]) from None
    return text.removeprefix("\ufeff")


def load_plain(text: str, source: str, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """The strict read-only load (plain dicts) that every layer uses: the CLI, both hooks,
    `validate` and the read index. UnreadableCase (R-WF, with lines) for anything outside
    the case-file subset or of the wrong shape."""
    try:
        data: dict[str, Any] = reader.parse(text, limits)
    except reader.Refused as exc:
        raise UnreadableCase(source, [(p.field or "(file)", str(p)) for p in exc.problems]) from None
    found = list(shape.problems(data))
    if found:
        raise UnreadableCase(source, [(shape.dotted(path), _at_line(text, path, message))
                                      for path, message in found[:20]])
    return data


def _at_line(text: str, path: tuple[str | int, ...], message: str) -> str:
    line = reader.line_of(text, path) if path else 0
    return f"line {line}: {message}" if line else message


def load_document(text: str, source: str, limits: Limits = DEFAULT_LIMITS) -> CommentedMap:
    """Round-trip load (keeps comments and order) for files that will be written back; the
    text must pass the strict reader first. Built from the strict reader's data where
    writing it back gives the file's exact bytes (model.fastyaml: most case files, ~30x
    faster than ruamel's parse); ruamel's own round-trip load otherwise."""
    from complaintctl.model import fastyaml

    rebuilt = fastyaml.rebuild(text, load_plain(text, source, limits))
    if rebuilt is not None:
        return rebuilt
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    try:
        doc = _yaml_rt().load(text)
    except YAMLError as exc:
        raise InvalidInput(f"{source}: not valid YAML: {' '.join(str(exc).split())[:200]}") from exc
    if not isinstance(doc, CommentedMap):
        raise InvalidInput(f"{source}: a case file must be a YAML mapping")
    return doc


def dump_document(doc: CommentedMap) -> str:
    """ruamel's round-trip dump, byte for byte — through model.fastyaml where it can promise
    that (tests/model/test_fastyaml.py), ruamel itself otherwise."""
    from complaintctl.model import fastyaml

    fast = fastyaml.dump(doc)
    return fast if fast is not None else ruamel_dump(doc)


def ruamel_dump(doc: CommentedMap) -> str:
    buf = io.StringIO()
    _yaml_rt().dump(doc, buf)
    return buf.getvalue()


def get(data: Mapping[str, Any], path: str) -> Any:
    """Value at a dotted path (`routing.handler`), or None."""
    cur: Any = data
    for part in path.split("."):
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(part)
    return cur


def put(doc: CommentedMap, path: str, value: Any) -> None:
    """Set a dotted path, creating sections in place (and with their comment) as needed."""
    parts = path.split(".")
    cur = doc
    for part in parts[:-1]:
        nxt = cur.get(part)
        if not isinstance(nxt, dict):
            from ruamel.yaml.comments import CommentedMap

            nxt = CommentedMap()
            cur[part] = nxt
        cur = nxt
    cur[parts[-1]] = value


def is_blank(value: Any) -> bool:
    """None, empty, or text of only spaces (a name of "   " is no name)."""
    return value is None or (isinstance(value, str | list | dict) and len(value) == 0) \
        or (isinstance(value, str) and not value.strip())


def stamp(moment: datetime) -> datetime:
    """Store a moment to the second with a fixed UTC offset (what YAML can round-trip)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    offset = moment.utcoffset() or timedelta(0)
    return moment.replace(microsecond=0).astimezone(timezone(offset))


def as_datetime(value: Any, tz: tzinfo) -> datetime | None:
    """Read a stored time: a YAML timestamp, a date (end of that day), or ISO text."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time(23, 59, 59), tz)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            try:
                return datetime.combine(date.fromisoformat(value.strip()), time(23, 59, 59), tz)
            except ValueError:
                return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
    return None


def new_document(case_id: str, intake: Mapping[str, Any], assessment: Mapping[str, Any],
                 accused: Mapping[str, Any]) -> CommentedMap:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    doc = CommentedMap()
    doc["id"] = case_id
    doc["status"] = "received"
    doc["intake"] = CommentedMap(intake)
    doc["assessment"] = CommentedMap(assessment)
    doc["accused"] = CommentedMap(accused)
    doc["routing"] = CommentedMap(unit=None, handler=None, copied=CommentedSeq(), escalation_level="staff")
    doc["plan"] = CommentedMap(resolver=None, measures=None, due=None)
    doc["timeline"] = CommentedSeq()
    doc.yaml_set_start_comment(
        f"{SCHEMA_MODELINE}\n"
        f"Complaint {case_id} — complaintctl case file (schema {SCHEMA_VERSION}).\n"
        "Edit with `complaintctl edit`; hand edits are validated on commit and on push.")
    for key, text in SECTION_COMMENTS.items():
        doc.yaml_set_comment_before_after_key(key, before=text)
    return doc


def timeline_entry(at: datetime, by: str, action: str, *, src: str | None = None,
                   dst: str | None = None, note: str | None = None,
                   extra: Mapping[str, Any] | None = None) -> CommentedMap:
    from ruamel.yaml.comments import CommentedMap

    entry = CommentedMap()
    entry["at"] = stamp(at)
    entry["by"] = by
    entry["action"] = action
    if src is not None:
        entry["from"] = src
    if dst is not None:
        entry["to"] = dst
    for k, v in (extra or {}).items():
        entry[k] = v
    if note:
        entry["note"] = note
    return entry


def to_plain(value: Any) -> Any:
    """JSON-ready copy: timestamps as ISO text."""
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value

"""The office policy file, complaintctl.yaml: vocabularies, units, people, rules, clocks."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from complaintctl.errors import PolicyError
from complaintctl.model import workflow
from complaintctl.model.ids import OFFICE_RE
from complaintctl.model.reader import DEFAULT_LIMITS, Limits
from complaintctl.policy.authority import ROLES, Authority, parse_authority
from complaintctl.policy.calendar import CalendarSpec, parse_calendar
from complaintctl.policy.notifications import EMAIL, Materials, Notifications, parse_materials, parse_notifications
from complaintctl.policy.privacy import Privacy, parse_key, parse_privacy
from complaintctl.policy.sla import DeadlinePolicy, parse_deadlines
from complaintctl.policy.trust import Trust, check_min_version, parse_trust

POLICY_FILE = "complaintctl.yaml"
_UNDECODED = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8 (surrogateescape)
MOBILE = re.compile(r"^1[3-9][0-9]{9}$")  # a mainland mobile number, as the robots' @-mentions take it
LANGUAGES = ("zh", "en")
_TOP_KEYS = {
    "office", "name", "language", "timezone", "preset", "complainant_classes", "channels",
    "severities", "units", "categories", "outcomes", "people", "escalation_chain",
    "default_unit", "required", "deadlines", "calendar", "offices", "approvals", "require_pusher",
    "compensation_limits", "senior_roles", "offline_window", "ledger", "incidents",
    "min_version", "signing", "trust_commit_authors", "notifications", "materials", "limits", "privacy", "anonymous",
}


@dataclass(frozen=True)
class Label:
    key: str
    zh: str
    en: str

    def text(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


@dataclass(frozen=True)
class ComplainantClass(Label):
    kind: str = "customer"  # R-DEF-2: customer or non-customer


@dataclass(frozen=True)
class Unit(Label):
    notify: str = ""  # the channel its people are told by (EMAIL or a robot); "" = e-mail


@dataclass(frozen=True)
class Category(Label):
    unit: str = ""  # R-RT-1: the responsible unit


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    unit: str
    roles: tuple[str, ...]
    login: str = ""  # the git server account (access: the pusher's identity)
    office: str = ""  # office code this person works for; "" = the policy's own office
    mobile: str = ""  # staff mobile: the group robots @-mention them by it
    notify: str = ""  # their channel (EMAIL or a robot), over their unit's; "" = the unit's
    key: str = ""  # R-RT-5: their public key (age1… or ssh-ed25519), office keys are wrapped to it


@dataclass(frozen=True)
class Policy:
    office: str
    name: str
    language: str
    timezone: str
    preset: str
    complainant_classes: Mapping[str, ComplainantClass]
    channels: Mapping[str, Label]
    severities: Mapping[str, Label]
    units: Mapping[str, Unit]
    categories: Mapping[str, Category]
    outcomes: Mapping[str, Label]
    people: tuple[Person, ...]
    escalation_chain: tuple[str, ...]
    default_unit: str
    required: Mapping[str, tuple[str, ...]]
    deadlines: Mapping[str, Any] = field(default_factory=dict)
    calendar: Mapping[str, Any] = field(default_factory=dict)
    offices: Mapping[str, Any] = field(default_factory=dict)
    approvals: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    require_pusher: bool = False  # server: refuse pushes that carry no pusher identity
    anonymous: bool = False  # R-IN-1 asks for a name and a contact: anonymous complaints only where set
    calendar_spec: CalendarSpec = field(default_factory=CalendarSpec)  # `calendar:`, checked (policy.calendar)
    sla: DeadlinePolicy = field(default_factory=DeadlinePolicy)  # `deadlines:`, checked (policy.sla)
    authority: Authority = field(default_factory=Authority)  # roles per action, limits, ledger
    trust: Trust = field(default_factory=Trust)  # min_version, signing, acts_for
    notifications: Notifications = field(default_factory=Notifications)  # notify
    materials: Materials = field(default_factory=Materials)  # files kept from e-mail intake
    limits: Limits = DEFAULT_LIMITS  # `limits:`: bounds on one case file (the strict reader)
    privacy: Privacy = field(default_factory=Privacy)  # R-RT-5: encrypted complainant fields

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def person(self, name_or_email: str) -> Person | None:
        for p in self.people:
            if name_or_email in (p.name, p.email):
                return p
        return None

    def canonical_name(self, name: str, email: str = "") -> str:
        """The policy's name for a git identity: matched by e-mail first, then by name."""
        p = (self.person(email) if email else None) or self.person(name)
        return p.name if p else name

    def heads_for(self, unit: str, exclude: tuple[str, ...] = ()) -> list[str]:
        """R-RT-2: a unit's heads (role head), else every head — whom a major complaint is copied to."""
        heads = [p for p in self.people if "head" in p.roles and p.name not in exclude]
        return [p.name for p in ([h for h in heads if h.unit == unit] or heads)]

    def channel_of(self, name: str) -> str:
        """How a person is told: their own `notify`, else their unit's, else e-mail."""
        p = self.person(name)
        if p is None:
            return EMAIL
        unit = self.units.get(p.unit)
        return p.notify or (unit.notify if unit else "") or EMAIL

    def with_role(self, role: str) -> list[str]:
        return [p.name for p in self.people if role in p.roles]

    def system_names(self) -> frozenset[str]:
        return frozenset(p.name for p in self.people if "system" in p.roles)

    def roles_of(self, name: str, email: str = "") -> tuple[str, ...]:
        p = self.person(email) if email else None
        p = p or self.person(name)
        return p.roles if p else ()

    def label(self, vocabulary: str, key: str) -> str:
        table: Mapping[str, Label] = getattr(self, vocabulary)
        item = table.get(key)
        return item.text(self.language) if item else key

    def labels(self, vocabulary: str) -> dict[str, str]:
        """key -> label in the office's language, for a whole table (once per command)."""
        table: Mapping[str, Label] = getattr(self, vocabulary)
        return {k: item.text(self.language) for k, item in table.items()}

    def names(self, vocabulary: str) -> dict[str, tuple[str, str]]:
        """key -> (zh, en) labels: what a user may type for it (labels.resolve)."""
        table: Mapping[str, Label] = getattr(self, vocabulary)
        return {k: (item.zh, item.en) for k, item in table.items()}


DEFAULT_APPROVERS = ("vp",)  # R-DL-2: the vice-president in charge


def approvers(policy: Policy) -> tuple[str, ...]:
    """R-DL-2: the roles that approve an extension."""
    return policy.authority.roles_for("extend") or DEFAULT_APPROVERS


def load_policy(root: Path) -> Policy:
    path = root / POLICY_FILE
    if not path.is_file():
        raise PolicyError(f"{path}: no policy file — not a case repository (run `complaintctl init`)")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError(f"{path}: not UTF-8 (byte {exc.start}): save the policy as UTF-8") from None
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read: {exc.strerror}") from None
    return parse_policy_text(text, str(path))


@functools.lru_cache(maxsize=8)
def parse_policy_text(text: str, source: str = POLICY_FILE) -> Policy:
    """Parse and check a policy; cached by its text (the pure-Python YAML parse costs ~50 ms;
    `repo.cache` keeps the result across processes)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    bad = _UNDECODED.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        raise PolicyError(f"{source}: line {line}: not UTF-8 (a GBK save?): save the policy as UTF-8")
    try:
        data = YAML(typ="safe", pure=True).load(text)
    except YAMLError as exc:
        raise PolicyError(f"{source}: not valid YAML: {' '.join(str(exc).split())}") from exc
    return parse_policy(data, source)


def _fail(source: str, key: str, msg: str) -> PolicyError:
    return PolicyError(f"{source}: {key}: {msg}")


def _mapping(data: Any, source: str, key: str, required: bool = True) -> Mapping[str, Any]:
    if data is None and not required:
        return {}
    if not isinstance(data, Mapping) or (required and not data):
        raise _fail(source, key, "expected a non-empty mapping")
    return data


def _str(data: Mapping[str, Any], key: str, source: str, prefix: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise _fail(source, f"{prefix}{key}", "expected a non-empty text")
    return value


def _labels(data: Any, source: str, key: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for k, v in _mapping(data, source, key).items():
        v = v if v is not None else {}
        if not isinstance(v, Mapping):
            raise _fail(source, f"{key}.{k}", "expected a mapping with zh and en labels")
        zh = v.get("zh", str(k))
        en = v.get("en", str(k))
        if not isinstance(zh, str) or not isinstance(en, str):
            raise _fail(source, f"{key}.{k}", "zh and en labels must be text")
        out[str(k)] = dict(v, zh=zh, en=en)
    return out


def parse_policy(data: Any, source: str = POLICY_FILE) -> Policy:
    """Check every key and cross-reference; the first problem is named precisely."""
    top = _mapping(data, source, "(top level)")
    min_version = check_min_version(top, source)
    for key in top:
        if key not in _TOP_KEYS:
            raise _fail(source, str(key), f"unknown key (known: {', '.join(sorted(_TOP_KEYS))})")
    office = _str(top, "office", source, "")
    if not OFFICE_RE.match(office):
        raise _fail(source, "office", f"{office!r} must be 2-8 capital letters/digits")
    language = top.get("language", "zh")
    if language not in LANGUAGES:
        raise _fail(source, "language", f"{language!r} is not one of {', '.join(LANGUAGES)}")
    tzname = _str(top, "timezone", source, "", "Asia/Shanghai")
    try:
        ZoneInfo(tzname)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise _fail(source, "timezone", f"unknown timezone {tzname!r}") from exc

    notifications = parse_notifications(top.get("notifications"), source, ZoneInfo(tzname))
    units = {k: Unit(k, v["zh"], v["en"], notifications.check_channel(v.get("notify"), source, f"units.{k}.notify"))
             for k, v in _labels(top.get("units"), source, "units").items()}
    classes = {}
    for k, v in _labels(top.get("complainant_classes"), source, "complainant_classes").items():
        kind = v.get("kind", "customer")
        if kind not in ("customer", "non-customer"):
            raise _fail(source, f"complainant_classes.{k}.kind", "must be customer or non-customer (R-DEF-2)")
        classes[k] = ComplainantClass(k, v["zh"], v["en"], kind)
    categories = {}
    for k, v in _labels(top.get("categories"), source, "categories").items():
        unit = v.get("unit")
        if unit not in units:
            raise _fail(source, f"categories.{k}.unit", f"unknown unit {unit!r} (R-RT-1)")
        categories[k] = Category(k, v["zh"], v["en"], unit)

    def plain(key: str) -> dict[str, Label]:
        return {k: Label(k, v["zh"], v["en"]) for k, v in _labels(top.get(key), source, key).items()}

    severities = plain("severities")
    for needed in ("general", "major"):
        if needed not in severities:
            raise _fail(source, f"severities.{needed}", "missing (R-AS-2 needs general and major)")
    default_unit = top.get("default_unit", "")
    if default_unit not in units:
        raise _fail(source, "default_unit", f"unknown unit {default_unit!r} (R-RT-1 coordination centre)")

    people = []
    for i, p in enumerate(top.get("people") or []):
        where = f"people[{i}]"
        if not isinstance(p, Mapping):
            raise _fail(source, where, "expected a mapping with name, email, unit, roles")
        name = _str(p, "name", source, f"{where}.")
        unit = p.get("unit")
        if unit not in units:
            raise _fail(source, f"{where}.unit", f"unknown unit {unit!r}")
        roles = tuple(p.get("roles") or ())
        for r in roles:
            if r not in ROLES:
                raise _fail(source, f"{where}.roles", f"unknown role {r!r} (known: {', '.join(ROLES)})")
        home = str(p.get("office") or "")
        if home and home != office and home not in (top.get("offices") or {}):
            raise _fail(source, f"{where}.office", f"unknown office {home!r} (list it under offices:)")
        mobile = p.get("mobile")
        mobile = str(mobile).strip() if isinstance(mobile, str | int) and not isinstance(mobile, bool) else mobile
        if mobile is not None and (not isinstance(mobile, str) or not MOBILE.match(mobile)):
            raise _fail(source, f"{where}.mobile", f"{mobile!r} is not a mobile number (11 digits, e.g. 13800138000)")
        people.append(Person(name, str(p.get("email", "")), unit, roles, str(p.get("login") or ""), home,
                             mobile or "", notifications.check_channel(p.get("notify"), source, f"{where}.notify"),
                             parse_key(p.get("key"), source, where)))

    chain = tuple(top.get("escalation_chain") or ("staff", "head", "vp", "gm"))
    for r in chain:
        if r not in ROLES:
            raise _fail(source, "escalation_chain", f"unknown role {r!r} (R-ES-1)")

    required: dict[str, tuple[str, ...]] = {}
    req = _mapping(top.get("required"), source, "required", required=False)
    for state in workflow.STATES:
        fields = req.get(state, workflow.DEFAULT_REQUIRED[state])
        if not isinstance(fields, list | tuple) or not all(isinstance(f, str) for f in fields):
            raise _fail(source, f"required.{state}", "expected a list of field paths")
        required[state] = tuple(fields)
    for state in req:
        if state not in workflow.STATES:
            raise _fail(source, f"required.{state}", f"unknown state (known: {', '.join(workflow.STATES)})")

    authority = parse_authority(top, source, ZoneInfo(tzname), severities)

    vocab = {"severities": severities, "categories": categories, "channels": plain("channels"),
             "complainant_classes": classes}
    return Policy(
        office=office,
        name=str(top.get("name", office)),
        language=language,
        timezone=tzname,
        preset=str(top.get("preset", "custom")),
        complainant_classes=classes,
        channels=plain("channels"),
        severities=severities,
        units=units,
        categories=categories,
        outcomes=plain("outcomes"),
        people=tuple(people),
        escalation_chain=chain,
        default_unit=default_unit,
        required=required,
        deadlines=_mapping(top.get("deadlines"), source, "deadlines", required=False),
        calendar=_mapping(top.get("calendar"), source, "calendar", required=False),
        offices=_mapping(top.get("offices"), source, "offices", required=False),
        approvals=authority.approvals,
        require_pusher=top.get("require_pusher") is True,
        anonymous=_flag(top, "anonymous", source),
        calendar_spec=parse_calendar(top.get("calendar"), source, tzname),
        sla=parse_deadlines(top.get("deadlines"), source, vocab, chain),
        authority=authority,
        trust=parse_trust(top, source, min_version),
        notifications=notifications,
        materials=parse_materials(top.get("materials"), source),
        limits=parse_limits(top.get("limits"), source),
        privacy=parse_privacy(top.get("privacy"), source),
    )


def _flag(top: Mapping[str, Any], key: str, source: str) -> bool:
    value = top.get(key, False)
    if not isinstance(value, bool):
        raise _fail(source, key, "expected true or false")
    return value


# limits: key -> (Limits field, the largest value accepted)
_LIMIT_KEYS = {"case_file_bytes": ("max_bytes", 64 << 20), "case_depth": ("max_depth", 64),
               "timeline_entries": ("max_timeline", 100_000)}


def parse_limits(data: Any, source: str) -> Limits:
    """`limits:` bounds what the strict reader accepts in one case file (defaults: 1 MiB,
    16 levels, 2,000 timeline entries); each is a whole number from 1 to a hard cap."""
    values: dict[str, int] = {}
    for key, value in _mapping(data, source, "limits", required=False).items():
        if key not in _LIMIT_KEYS:
            raise _fail(source, f"limits.{key}", f"unknown key (known: {', '.join(_LIMIT_KEYS)})")
        name, cap = _LIMIT_KEYS[key]
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= cap:
            raise _fail(source, f"limits.{key}", f"expected a whole number from 1 to {cap}")
        values[name] = value
    return Limits(**values) if values else DEFAULT_LIMITS

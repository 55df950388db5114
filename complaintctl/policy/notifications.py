"""The policy's `notifications:` and `materials:` keys: when `complaintctl notify` starts
telling people, how early the revisit reminder goes, the office's SMTP server, its group
robots (WeCom, DingTalk), and the limits on the files an e-mail complaint may bring in.
Parsed once with the policy; pure.

```yaml
notifications:
  since: 2026-01-01T00:00:00+08:00   # notices for steps taken from then on (absent: notify is off)
  revisit_before: 4h                 # the person due to revisit is told this long before the clock
  smtp: {host: smtp.example.com, port: 587, starttls: true, user: system@example.com,
         from: "物业服务中心 <system@example.com>"}   # never a password: COMPLAINTCTL_SMTP_PASSWORD
  robots:                            # group robots people[].notify / units.*.notify may name
    front-desk: {kind: wecom}        # never the key or secret: COMPLAINTCTL_ROBOT_FRONT_DESK_KEY
    engineering: {kind: dingtalk}    # or `git config complaintctl.robot.engineering.key` (docs/bridges.md)
materials:
  max_size: 10 MB                    # per attached file (R-IN-1: originals kept in materials/)
  types: [image/*, application/pdf, text/plain]
```
The environment overrides every SMTP setting (COMPLAINTCTL_SMTP_HOST, _PORT, _STARTTLS, _USER,
_FROM) and alone holds the password (COMPLAINTCTL_SMTP_PASSWORD).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from complaintctl.errors import InvalidInput, PolicyError
from complaintctl.policy.durations import DAYS, HOURS, MINUTES, parse_duration, parse_moment

DEFAULT_REVISIT_BEFORE = timedelta(hours=4)
DEFAULT_MAX_SIZE = 10 * 1024 * 1024
DEFAULT_TYPES = ("image/*", "application/pdf", "text/plain", "audio/*", "video/*", "application/msword",
                 "application/vnd.openxmlformats-officedocument.*", "application/vnd.ms-excel")
_SMTP_KEYS = ("host", "port", "starttls", "user", "from")
_KEYS = ("since", "revisit_before", "smtp", "robots")
EMAIL = "email"  # the channel of anyone whose person or unit names no robot
ROBOT_KINDS = ("wecom", "dingtalk")  # WeCom (企业微信) and DingTalk (钉钉) group robots
ROBOT_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
# what a webhook needs to post, and must never be in a file every clone reads
_ROBOT_SECRETS = ("key", "secret", "token", "access_token", "url", "webhook", "sign")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|bytes|kb|k|mb|m|gb|g)?\s*$", re.IGNORECASE)
_UNIT = {"b": 1, "bytes": 1, "k": 1024, "kb": 1024, "m": 1024 ** 2, "mb": 1024 ** 2, "g": 1024 ** 3, "gb": 1024 ** 3}


@dataclass(frozen=True)
class Smtp:
    """What the policy says of the SMTP server; the environment may override each (handling.smtp)."""

    host: str = ""
    port: int | None = None
    starttls: bool | None = None
    user: str = ""
    sender: str = ""


@dataclass(frozen=True)
class Robot:
    """A group robot the office posts notices to; its webhook key and signing secret live in
    the notify job's environment or git config, never here (handling.robots)."""

    name: str
    kind: str  # one of ROBOT_KINDS


@dataclass(frozen=True)
class Notifications:
    since: datetime | None = None  # None: notify is off for this office
    revisit_before: timedelta = DEFAULT_REVISIT_BEFORE
    smtp: Smtp = field(default_factory=Smtp)
    robots: Mapping[str, Robot] = field(default_factory=dict)

    def check_channel(self, value: Any, source: str, key: str) -> str:
        """A `notify:` of a person or unit: `email` or the name of one of `robots`."""
        if value is None:
            return ""
        if not isinstance(value, str) or (value != EMAIL and value not in self.robots):
            known = ", ".join([EMAIL, *self.robots])
            raise _fail(source, key, f"{value!r} is not a channel (known: {known}; robots are listed under "
                                     "notifications.robots)")
        return value

    @property
    def enabled(self) -> bool:
        return self.since is not None


@dataclass(frozen=True)
class Materials:
    max_size: int = DEFAULT_MAX_SIZE  # bytes per file
    types: tuple[str, ...] = DEFAULT_TYPES  # MIME types; `image/*` covers a family

    def allows(self, mime: str) -> bool:
        mime = mime.lower()
        return any(mime == t or (t.endswith("*") and mime.startswith(t[:-1])) for t in self.types)


def _fail(source: str, key: str, msg: str) -> PolicyError:
    return PolicyError(f"{source}: {key}: {msg}")


def parse_notifications(raw: Any, source: str, tz: tzinfo) -> Notifications:
    if raw is None:
        return Notifications()
    if not isinstance(raw, Mapping):
        raise _fail(source, "notifications", f"expected a mapping with {', '.join(_KEYS)}")
    for key in raw:
        if key not in _KEYS:
            raise _fail(source, f"notifications.{key}", f"unknown key (known: {', '.join(_KEYS)})")
    if raw.get("since") is None:
        raise _fail(source, "notifications.since", "required: notices are sent for steps taken from then on")
    since = parse_moment(raw["since"], tz, source, "notifications.since")
    before = DEFAULT_REVISIT_BEFORE
    if raw.get("revisit_before") is not None:
        try:
            d = parse_duration(raw["revisit_before"], "notifications.revisit_before")
        except InvalidInput as exc:
            raise PolicyError(f"{source}: {exc}") from None
        if d.unit not in (MINUTES, HOURS, DAYS):
            raise _fail(source, "notifications.revisit_before", "give clock time (e.g. 4h or 1 day)")
        before = timedelta(seconds=d.amount * {MINUTES: 60, HOURS: 3600, DAYS: 86400}[d.unit])
    return Notifications(since, before, _smtp(raw.get("smtp"), source), _robots(raw.get("robots"), source))


def robot_env(name: str) -> str:
    """Where the notify job's environment holds a robot's settings: COMPLAINTCTL_ROBOT_FRONT_DESK
    (_KEY, _SECRET) for the robot `front-desk`."""
    return "COMPLAINTCTL_ROBOT_" + re.sub(r"[^A-Z0-9]", "_", name.upper())


def _robots(raw: Any, source: str) -> dict[str, Robot]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise _fail(source, "notifications.robots", "expected a mapping: name -> {kind: wecom | dingtalk}")
    robots = {}
    for name, spec in raw.items():
        where = f"notifications.robots.{name}"
        if not isinstance(name, str) or name == EMAIL or not ROBOT_NAME.match(name):
            raise _fail(source, where, "a robot's name is lower-case letters, digits and '-' (not 'email')")
        if not isinstance(spec, Mapping):
            raise _fail(source, where, "expected {kind: wecom} or {kind: dingtalk}")
        for key in spec:
            if key in _ROBOT_SECRETS:
                env = robot_env(name)
                raise _fail(source, f"{where}.{key}", "a robot's webhook key and signing secret never live in the "
                            f"repository: set {env}_KEY (and {env}_SECRET) in the environment of the notify job, "
                            f"or `git config complaintctl.robot.{name}.key` there")
            if key != "kind":
                raise _fail(source, f"{where}.{key}", "unknown key (known: kind)")
        if spec.get("kind") not in ROBOT_KINDS:
            raise _fail(source, f"{where}.kind", f"{spec.get('kind')!r} is not one of {', '.join(ROBOT_KINDS)}")
        robots[name] = Robot(name, str(spec["kind"]))
    return robots


def _smtp(raw: Any, source: str) -> Smtp:
    if raw is None:
        return Smtp()
    if not isinstance(raw, Mapping):
        raise _fail(source, "notifications.smtp", f"expected a mapping ({', '.join(_SMTP_KEYS)})")
    for key in raw:
        if key == "password":
            raise _fail(source, "notifications.smtp.password", "the password never lives in the repository: "
                        "set COMPLAINTCTL_SMTP_PASSWORD in the environment of the notify job")
        if key not in _SMTP_KEYS:
            raise _fail(source, f"notifications.smtp.{key}", f"unknown key (known: {', '.join(_SMTP_KEYS)})")
    port = raw.get("port")
    if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536):
        raise _fail(source, "notifications.smtp.port", f"{port!r} is not a port number")
    starttls = raw.get("starttls")
    if starttls is not None and not isinstance(starttls, bool):
        raise _fail(source, "notifications.smtp.starttls", "expected true or false")
    for key in ("host", "user", "from"):
        if raw.get(key) is not None and not isinstance(raw.get(key), str):
            raise _fail(source, f"notifications.smtp.{key}", "expected a text")
    return Smtp(str(raw.get("host") or ""), port, starttls, str(raw.get("user") or ""), str(raw.get("from") or ""))


def parse_size(value: Any, key: str) -> int:
    """`10 MB`, `500 KB`, or a number of bytes."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    m = _SIZE.match(str(value)) if isinstance(value, str) else None
    if m is None or float(m.group(1)) <= 0:
        raise InvalidInput(f"{key}: {value!r} is not a size (e.g. 10 MB, 500 KB, or bytes)")
    return int(float(m.group(1)) * _UNIT[(m.group(2) or "b").lower()])


def parse_materials(raw: Any, source: str) -> Materials:
    if raw is None:
        return Materials()
    if not isinstance(raw, Mapping):
        raise _fail(source, "materials", "expected a mapping with max_size and types")
    for key in raw:
        if key not in ("max_size", "types"):
            raise _fail(source, f"materials.{key}", "unknown key (known: max_size, types)")
    size = DEFAULT_MAX_SIZE
    if raw.get("max_size") is not None:
        try:
            size = parse_size(raw["max_size"], "materials.max_size")
        except InvalidInput as exc:
            raise PolicyError(f"{source}: {exc}") from None
    types = DEFAULT_TYPES
    if raw.get("types") is not None:
        t = raw["types"]
        if not isinstance(t, list) or not t or not all(isinstance(x, str) and "/" in x for x in t):
            raise _fail(source, "materials.types", "expected a list of MIME types (image/jpeg, image/*, …)")
        types = tuple(x.strip().lower() for x in t)
    return Materials(size, types)


def show_size(n: int) -> str:
    for unit, factor in (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024)):
        if n >= factor:
            return f"{n / factor:.1f} {unit}"
    return f"{n} bytes"

"""Posting notices to group robots — WeCom (企业微信) and DingTalk (钉钉) — with the standard
library (urllib), in the shapes their vendors document:

- WeCom group robot (developer.work.weixin.qq.com/document/path/91770): POST JSON to
  https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY, `{"msgtype": "markdown",
  "markdown": {"content": …}}` (at most 4096 bytes). Markdown can @ people only by WeCom user ID,
  so a notice for someone with a mobile goes as `{"msgtype": "text", "text": {"content": …,
  "mentioned_mobile_list": […]}}` (at most 2048 bytes), the documented @-by-mobile.
- DingTalk custom robot (open.dingtalk.com/document/robots/custom-robot-access): POST JSON to
  https://oapi.dingtalk.com/robot/send?access_token=TOKEN, `{"msgtype": "markdown", "markdown":
  {"title", "text"}, "at": {"atMobiles": […], "isAtAll": false}}`, the text naming each @mobile; a
  robot with a signing secret gets `&timestamp=MS&sign=…`, the URL-encoded base64 of
  HMAC-SHA256(secret, f"{MS}\\n{secret}"), MS the wall clock in milliseconds (DingTalk refuses one
  more than an hour off).

Both answer `{"errcode": 0, "errmsg": "ok"}`; any other answer — an errcode, an HTTP error, a
timeout — leaves the notice pending for the next run, as a refused e-mail does. Both allow 20
messages a minute per robot (beyond: WeCom 45009, DingTalk 130101): a robot gets at most 20
posts in any minute — counting the runs of the last minute in this clone — and none for a
minute after a rate-limit answer; the rest stay pending and say why.

The webhook key (or the whole webhook URL copied from the robot's page) and DingTalk's signing
secret come from the notify job's environment, COMPLAINTCTL_ROBOT_<NAME>_KEY and _SECRET, else
from git config complaintctl.robot.<name>.key and .secret (the clone's own, or the system
account's ~/.gitconfig) — never from complaintctl.yaml, which every clone reads.
COMPLAINTCTL_WECOM_URL / COMPLAINTCTL_DINGTALK_URL (or git config complaintctl.wecom.url /
complaintctl.dingtalk.url) send to another endpoint instead: a proxy, or a test server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from complaintctl.errors import ComplaintError, InvalidInput
from complaintctl.policy.notifications import Robot, robot_env
from complaintctl.policy.policy import Policy
from complaintctl.reporting.mailtexts import Message, for_line

TIMEOUT = 10.0  # seconds for one post
PER_MINUTE = 20  # both vendors: messages a minute per robot
BASE = {"wecom": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
        "dingtalk": "https://oapi.dingtalk.com/robot/send"}
TOKEN_PARAM = {"wecom": "key", "dingtalk": "access_token"}
RATE_LIMITED = {"wecom": 45009, "dingtalk": 130101}
WECOM_BYTES = {"markdown": 4096, "text": 2048}

Lookup = Callable[[str], str | None]  # a git config key -> its value (repo.git.Git.get_config)
Clock = Callable[[], float]  # the wall clock, seconds since the epoch (DingTalk's timestamp)


class RobotFailure(ComplaintError):
    """The robot's service did not take a message (or was not asked: the rate limit)."""

    def __init__(self, message: str, rate_limited: bool = False) -> None:
        super().__init__(message)
        self.rate_limited = rate_limited


@dataclass(frozen=True)
class RobotConfig:
    robot: Robot
    endpoint: str  # the URL without its query
    token: str  # WeCom's key, DingTalk's access_token
    secret: str = ""  # DingTalk's signing secret ("": the robot does not sign)


def config(robot: Robot, env: Mapping[str, str], git_config: Lookup) -> RobotConfig:
    """A robot's settings: the environment first, then git config; never the policy."""
    prefix = robot_env(robot.name)

    def setting(env_key: str, git_key: str) -> str:
        return env.get(env_key, "").strip() or (git_config(git_key) or "").strip()

    value = setting(prefix + "_KEY", f"complaintctl.robot.{robot.name}.key")
    if not value:
        raise InvalidInput(f"robot {robot.name} ({robot.kind}): no webhook key — set {prefix}_KEY in the "
                           f"environment of the notify job, or `git config complaintctl.robot.{robot.name}.key "
                           "KEY` in its clone (never in complaintctl.yaml)")
    endpoint, token = BASE[robot.kind], value
    if "://" in value:  # the webhook URL as the robot's page shows it
        parts = urlsplit(value)
        token = (parse_qs(parts.query).get(TOKEN_PARAM[robot.kind]) or [""])[0]
        if not token:
            raise InvalidInput(f"{prefix}_KEY: a {robot.kind} webhook URL carries "
                               f"?{TOKEN_PARAM[robot.kind]}=…, this one does not")
        endpoint = f"{parts.scheme}://{parts.netloc}{parts.path}"
    endpoint = setting(f"COMPLAINTCTL_{robot.kind.upper()}_URL", f"complaintctl.{robot.kind}.url") or endpoint
    secret = setting(prefix + "_SECRET", f"complaintctl.robot.{robot.name}.secret")
    if secret and robot.kind != "dingtalk":
        raise InvalidInput(f"{prefix}_SECRET: only DingTalk robots sign their requests")
    return RobotConfig(robot, endpoint, token, secret)


def sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature, before URL encoding."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def url(cfg: RobotConfig, timestamp_ms: int) -> str:
    params = {TOKEN_PARAM[cfg.robot.kind]: cfg.token}
    if cfg.secret:
        params.update(timestamp=str(timestamp_ms), sign=sign(cfg.secret, timestamp_ms))
    return f"{cfg.endpoint}?{urlencode(params)}"


def _fit(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    return text if len(data) <= limit else data[:limit - 3].decode("utf-8", "ignore") + "…"


def payload(kind: str, message: Message, for_text: str, mobiles: Sequence[str]) -> dict[str, object]:
    """The JSON a robot is sent: the notice's title and lines, whom it is for, the @-mentions."""
    lines = message.body.split("\n")
    if kind == "dingtalk":
        mention = "".join(f" @{m}" for m in mobiles)  # DingTalk highlights an @ only if the text names it
        text = "\n\n".join([f"#### {message.subject}", for_text + mention, *lines])
        return {"msgtype": "markdown", "markdown": {"title": message.subject, "text": text},
                "at": {"atMobiles": list(mobiles), "isAtAll": False}}
    if mobiles:
        content = "\n".join([message.subject, for_text, *lines])
        return {"msgtype": "text", "text": {"content": _fit(content, WECOM_BYTES["text"]),
                                            "mentioned_mobile_list": list(mobiles)}}
    content = "\n".join([f"**{message.subject}**", for_text, *(f"> {line}" for line in lines)])
    return {"msgtype": "markdown", "markdown": {"content": _fit(content, WECOM_BYTES["markdown"])}}


def post(cfg: RobotConfig, body: Mapping[str, object], timestamp_ms: int, timeout: float = TIMEOUT) -> None:
    """One message; RobotFailure unless the service answers errcode 0. The URL holds the key:
    it is never part of a message."""
    request = urllib.request.Request(url(cfg, timestamp_ms), data=json.dumps(body, ensure_ascii=False).encode(),
                                     headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) only, ours)
            raw = response.read(1 << 16)
    except urllib.error.HTTPError as exc:
        raise RobotFailure(f"HTTP {exc.code} {exc.reason}", rate_limited=exc.code == 429) from None
    except urllib.error.URLError as exc:
        raise RobotFailure(_why(exc.reason)) from None
    except (TimeoutError, OSError) as exc:
        raise RobotFailure(_why(exc)) from None
    try:
        answer = json.loads(raw.decode("utf-8"))
        code = answer["errcode"]
    except (ValueError, KeyError, TypeError):
        raise RobotFailure(f"not the service's answer: {raw[:120]!r}") from None
    if code != 0:
        errmsg = " ".join(str(answer.get("errmsg", "")).split())[:200]
        raise RobotFailure(f"errcode {code} {errmsg}".strip(), rate_limited=code == RATE_LIMITED[cfg.robot.kind])


def _why(reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return "timed out"
    return " ".join(str(reason).split()) or type(reason).__name__


class Robots:
    """One run's robots: their settings, read before anything is posted, and what is left of each
    one's 20 posts a minute. With a `memory` file (in the clone's .git), posts of runs a moment
    ago count too: the post-receive recipe may start several runs a minute, and DingTalk blocks
    a robot for ten minutes once it is past its limit."""

    def __init__(self, policy: Policy, names: Iterable[str], env: Mapping[str, str], git_config: Lookup,
                 clock: Clock = time.time, timeout: float = TIMEOUT, memory: Path | None = None) -> None:
        self.language = policy.language
        self.configs = {n: config(policy.notifications.robots[n], env, git_config) for n in sorted(set(names))}
        self.clock = clock
        self.timeout = timeout
        self.memory = memory
        now = clock()
        self.posted = {n: [t for t in _remembered(memory).get(n, []) if 0 <= now - t < 60] for n in self.configs}

    def left(self, name: str) -> int:
        now = self.clock()
        return PER_MINUTE - sum(1 for t in self.posted[name] if 0 <= now - t < 60)

    def post(self, name: str, message: Message, recipients: Sequence[str], mobiles: Sequence[str]) -> None:
        cfg = self.configs[name]
        if self.left(name) <= 0:
            raise RobotFailure(f"not sent: {PER_MINUTE} messages a minute is robot {name}'s limit — "
                               "it goes at the next run", rate_limited=True)
        now = self.clock()
        self.posted[name].append(now)  # a refused post counts too: the service counted it
        body = payload(cfg.robot.kind, message, for_line(self.language, recipients), mobiles)
        try:
            post(cfg, body, int(now * 1000), self.timeout)
        except RobotFailure as exc:
            if exc.rate_limited:  # the service says stop: nothing more to this robot for a minute
                self.posted[name] += [now] * PER_MINUTE
            raise
        finally:
            self.remember()

    def remember(self) -> None:
        if self.memory is None:
            return
        kept = {**_remembered(self.memory), **self.posted}
        self.memory.parent.mkdir(parents=True, exist_ok=True)
        temp = self.memory.with_suffix(".tmp")
        temp.write_text(json.dumps({n: ts[-2 * PER_MINUTE:] for n, ts in kept.items()}), encoding="utf-8")
        temp.replace(self.memory)


def _remembered(memory: Path | None) -> dict[str, list[float]]:
    """Robot -> when it was posted to; a missing or damaged file remembers nothing."""
    try:
        data = json.loads(memory.read_text(encoding="utf-8")) if memory is not None else {}
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(n): [float(t) for t in ts if isinstance(t, int | float)] for n, ts in data.items()
            if isinstance(ts, list)}

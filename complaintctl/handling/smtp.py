"""Sending mail through the office's SMTP server (`smtplib`): the settings from the policy,
overridden by the environment, the password from the environment only."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from types import TracebackType

from complaintctl.errors import ComplaintError, InvalidInput
from complaintctl.policy.policy import Policy

ENV = "COMPLAINTCTL_SMTP_"  # HOST, PORT, STARTTLS, USER, PASSWORD, FROM
TIMEOUT = 30.0


class SmtpFailure(ComplaintError):
    """The SMTP server could not be reached or refused a message."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    starttls: bool
    user: str
    password: str
    sender: str

    def __str__(self) -> str:
        return f"{self.host}:{self.port}{' (STARTTLS)' if self.starttls else ''}"


def _flag(text: str, name: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise InvalidInput(f"{name}: {text!r} is not true or false")


def config(policy: Policy, env: Mapping[str, str]) -> SmtpConfig:
    """The SMTP settings: the environment first, then `notifications.smtp` in the policy."""
    s = policy.notifications.smtp
    host = env.get(ENV + "HOST", "").strip() or s.host
    if not host:
        raise InvalidInput("no SMTP server: set notifications.smtp.host in the policy or "
                           f"{ENV}HOST in the environment")
    starttls = _flag(env[ENV + "STARTTLS"], ENV + "STARTTLS") if env.get(ENV + "STARTTLS", "").strip() \
        else bool(s.starttls)
    port_text = env.get(ENV + "PORT", "").strip()
    try:
        port = int(port_text) if port_text else (s.port or (587 if starttls else 25))
    except ValueError:
        raise InvalidInput(f"{ENV}PORT: {port_text!r} is not a port number") from None
    user = env.get(ENV + "USER", "").strip() or s.user
    password = env.get(ENV + "PASSWORD", "")
    if user and not password:
        raise InvalidInput(f"notifications.smtp.user is {user!r} but {ENV}PASSWORD is not set in the environment "
                           "(the password never lives in the repository)")
    system = [p for p in policy.people if "system" in p.roles and p.email]
    sender = env.get(ENV + "FROM", "").strip() or s.sender or (system[0].email if system else "")
    if not sender:
        raise InvalidInput("no sender address: set notifications.smtp.from, or give the system account an email")
    return SmtpConfig(host, port, starttls, user, password, sender)


def message(cfg: SmtpConfig, to_name: str, to_addr: str, subject: str, body: str,
            headers: Mapping[str, str]) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = cfg.sender
    msg["To"] = Address(display_name=to_name, addr_spec=to_addr)
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=cfg.sender.rpartition("@")[2].strip(">") or None)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to a robot
    for k, v in headers.items():
        msg[k] = v
    msg.set_content(body, charset="utf-8")
    return msg


class Mailer:
    """One SMTP session: `with Mailer(cfg) as m: m.send(msg)`."""

    def __init__(self, cfg: SmtpConfig) -> None:
        self.cfg = cfg
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        try:
            self.smtp = smtplib.SMTP(self.cfg.host, self.cfg.port, timeout=TIMEOUT)
            self.smtp.ehlo()
            if self.cfg.starttls:
                self.smtp.starttls(context=ssl.create_default_context())
                self.smtp.ehlo()
            if self.cfg.user:
                self.smtp.login(self.cfg.user, self.cfg.password)
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise SmtpFailure(f"SMTP {self.cfg}: {_why(exc)}") from exc
        return self

    def send(self, msg: EmailMessage) -> None:
        assert self.smtp is not None
        try:
            refused = self.smtp.send_message(msg)
        except (smtplib.SMTPException, OSError) as exc:
            raise SmtpFailure(_why(exc)) from exc
        if refused:
            raise SmtpFailure(f"refused: {', '.join(refused)}")

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def _why(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {_text(msg)} ({addr})" for addr, (code, msg) in exc.recipients.items())
    return " ".join(str(exc).split()) or type(exc).__name__


def _text(detail: bytes | str) -> str:
    text = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
    return " ".join(text.split())

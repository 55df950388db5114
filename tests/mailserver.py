"""A real SMTP server on 127.0.0.1 (aiosmtpd), once per test session: tests read what it
received, and may make it refuse chosen recipients."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        part = self.message.get_body(("plain",))
        assert part is not None
        return str(part.get_content())  # type: ignore[attr-defined]


@dataclass
class MailServer:
    host: str
    port: int
    inbox: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # addresses answered with 550

    def env(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Point complaintctl at this server (the environment overrides the policy)."""
        monkeypatch.setenv("COMPLAINTCTL_SMTP_HOST", self.host)
        monkeypatch.setenv("COMPLAINTCTL_SMTP_PORT", str(self.port))
        monkeypatch.setenv("COMPLAINTCTL_SMTP_STARTTLS", "false")

    def to(self, address: str) -> list[Received]:
        return [m for m in self.inbox if address in m.recipients]


class _Handler:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802
                          rcpt_options: list[str]) -> str:
        if address in self.server.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        msg = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.server.inbox.append(Received(envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def smtp_session() -> Iterator[MailServer]:
    from aiosmtpd.controller import Controller

    server = MailServer("127.0.0.1", free_port())
    controller = Controller(_Handler(server), hostname=server.host, port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def mailserver(smtp_session: MailServer, monkeypatch: pytest.MonkeyPatch) -> MailServer:
    """The session's server, emptied, with complaintctl pointed at it."""
    smtp_session.inbox.clear()
    smtp_session.refuse.clear()
    smtp_session.env(monkeypatch)
    return smtp_session

"""Intake from e-mail: an .eml file, an mbox, or a Maildir folder.

A message becomes a complaint on channel `email`: the complainant from `From:`, the subject
(RFC 2047 words decoded, GBK and GB2312 read as GB18030, their superset), the body as the
details (the plain part, else the HTML part turned into text), the receipt time from `Date:`.
Attachments are the case's materials (R-IN-1: keep originals), kept under
materials/YYYY/MM/ID/ with their SHA-256 in `intake.attachments`; the policy's `materials`
limits size and type. The Message-ID (or, without one, the message's hash) is the case's
source: the same message imported again creates nothing. What a message cannot say (the
complainant class, the category) comes from the options or, in a terminal, is asked.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from complaintctl.errors import InvalidInput
from complaintctl.handling.imports import Ask, Candidate, Defaults, Plan
from complaintctl.handling.steps import Intake
from complaintctl.policy.notifications import show_size
from complaintctl.policy.policy import Policy

# field -> (what to ask, the policy vocabulary or None, its rule)
ASKED: dict[str, tuple[str, str | None, str]] = {
    "complainant_class": ("Complainant class", "complainant_classes", "R-DEF-2"),
    "category": ("Category", "categories", "R-DEF-3"),
}
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "gb_2312-80": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
            "gb18030-2000": "gb18030", "unknown-8bit": "utf-8"}


def codec(charset: str | None) -> str:
    name = (charset or "").strip().strip('"').lower()
    return _ALIASES.get(name, name or "utf-8")


def decode_bytes(data: bytes, charset: str | None) -> str:
    """The declared charset (GB2312/GBK as GB18030), then UTF-8 and GB18030; never an error."""
    for enc in (codec(charset), "utf-8", "gb18030"):
        try:
            return data.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode(codec(charset) if _known(charset) else "utf-8", errors="replace")


def _known(charset: str | None) -> bool:
    import codecs

    try:
        codecs.lookup(codec(charset))
    except LookupError:
        return False
    return True


def decode_header(value: Any) -> str:
    """An RFC 2047 header (`=?GBK?B?...?=`) as text."""
    from email.header import decode_header as parts

    if value is None:
        return ""
    out = []
    for chunk, charset in parts(str(value)):
        out.append(decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk)
    return " ".join("".join(out).split())


class _Text(HTMLParser):
    BLOCK = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table",
                       "ul", "ol", "pre", "hr"})
    SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable text from an HTML body: blocks on their own lines, no markup, entities decoded."""
    p = _Text()
    p.feed(html)
    p.close()
    lines = [" ".join(line.split()) for line in "".join(p.parts).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


@dataclass(frozen=True)
class Attachment:
    name: str
    mime: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Parsed:
    sender_name: str
    sender: str
    subject: str
    body: str
    date: datetime | None
    message_id: str
    attachments: tuple[Attachment, ...]


def safe_name(raw: str, mime: str, n: int, used: set[str]) -> str:
    """A file name that stays inside the case's folder: no path, no control characters."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f:*?\"<>|]", "_", name).strip().lstrip(".")
    if not name:
        name = f"attachment-{n}{mimetypes.guess_extension(mime) or '.bin'}"
    stem, dot, ext = name.rpartition(".")
    base, k = name, 2
    while base.lower() in used:
        base = f"{stem}-{k}.{ext}" if dot else f"{name}-{k}"
        k += 1
    used.add(base.lower())
    return base


def parse(raw: bytes) -> Parsed:
    from email import message_from_bytes
    from email.utils import parseaddr, parsedate_to_datetime

    msg = message_from_bytes(raw)
    name, addr = parseaddr(decode_header(msg.get("From")))
    plain, html = "", ""
    attachments: list[Attachment] = []
    used: set[str] = set()
    for part in msg.walk():
        if part.is_multipart():
            continue
        disposition = str(part.get("Content-Disposition") or "").split(";")[0].strip().lower()
        filename = decode_header(part.get_filename()) if part.get_filename() else ""
        ctype = part.get_content_type()
        payload = _payload(part)
        if disposition == "attachment" or filename or not ctype.startswith("text/"):
            mime = ctype if ctype != "application/octet-stream" else \
                (mimetypes.guess_type(filename)[0] or ctype)
            attachments.append(Attachment(safe_name(filename, mime, len(attachments) + 1, used), mime, payload))
        elif ctype == "text/plain" and not plain:
            plain = decode_bytes(payload, part.get_content_charset())
        elif ctype == "text/html" and not html:
            html = decode_bytes(payload, part.get_content_charset())
    body = plain.strip() or html_to_text(html)
    try:
        date = parsedate_to_datetime(str(msg["Date"])) if msg.get("Date") else None
    except (TypeError, ValueError, IndexError):
        date = None
    if date is not None and date.tzinfo is None:
        date = None  # RFC 5322 dates carry their zone; without it the moment is unknown
    mid = " ".join(str(msg.get("Message-ID") or "").split())
    return Parsed(name.strip(), addr.strip(), decode_header(msg.get("Subject")), body.replace("\r\n", "\n"), date,
                  mid or "sha256:" + hashlib.sha256(raw).hexdigest()[:32], tuple(attachments))


def _payload(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def messages(path: Path) -> Iterator[tuple[str, bytes]]:
    """(where, raw message) for an .eml, each message of an mbox, each of a Maildir (new and cur)."""
    import mailbox

    if path.is_dir():
        box = mailbox.Maildir(str(path), factory=None, create=False)
        for n, key in enumerate(sorted(box.keys()), 1):
            yield f"{path.name} message {n} ({key})", box.get_bytes(key)
    elif path.suffix.lower() == ".mbox":
        mbox = mailbox.mbox(str(path), factory=None, create=False)
        try:
            for n, key in enumerate(mbox.keys(), 1):
                yield f"{path.name} message {n}", mbox.get_bytes(key)
        finally:
            mbox.close()
    else:
        try:
            yield path.name, path.read_bytes()
        except OSError as exc:
            raise InvalidInput(f"{path}: cannot read: {exc.strerror}") from None


def candidate(where: str, file: str, raw: bytes, policy: Policy, defaults: Defaults, now: datetime,
              ask: Ask | None, skip_disallowed: bool) -> Candidate:
    m = parse(raw)
    problems: list[str] = []
    notes: list[str] = []
    channel = defaults.channel or "email"
    if channel not in policy.channels:
        problems.append(f"channel: R-DEF-4: {channel!r} is not in the policy's channels (give --channel)")
    values = {"complainant_class": defaults.complainant_class, "category": defaults.category}
    for key, (prompt, vocab, rule) in ASKED.items():
        options = list(getattr(policy, vocab)) if vocab else []
        if not values[key] and ask is not None:
            values[key] = ask(where, f"{prompt} for “{m.subject[:40]}” from {m.sender}", options)
        if not values[key]:
            problems.append(f"{key.replace('_', '-')}: {rule}: required — give --{key.replace('_', '-')} or run "
                            "in a terminal to be asked")
        elif options and values[key] not in options:
            problems.append(f"{key.replace('_', '-')}: {rule}: {values[key]!r} is not in the policy's {vocab}")
    if not m.sender:
        problems.append("From: R-IN-1: no sender address (the complainant's contact)")
    received = m.date
    if received is None:
        text = ask(where, "Received at (no usable Date: header), e.g. 2026-11-22 10:05", []) if ask else ""
        try:
            received = datetime.fromisoformat(text.strip()) if text.strip() else None
        except ValueError:
            received = None
        if received is None:
            problems.append("Date: R-IN-1: missing or unreadable (the time the complaint was received)")
        elif received.tzinfo is None:
            received = received.replace(tzinfo=policy.tz)
    if received is not None and received > now:
        problems.append(f"Date: R-IN-1: {received.isoformat()} is in the future")
    subject = m.subject or (m.body.strip().splitlines()[0][:60] if m.body.strip() else "")
    if not subject:
        problems.append("Subject: R-IN-1: the message has neither a subject nor a body")
    kept: list[Attachment] = []
    materials: list[str] = []
    limits = policy.materials
    for a in m.attachments:
        why = ""
        if len(a.data) > limits.max_size:
            why = f"{show_size(len(a.data))} is over materials.max_size ({show_size(limits.max_size)})"
        elif not limits.allows(a.mime):
            why = f"type {a.mime} is not in materials.types ({', '.join(limits.types)})"
        if not why:
            kept.append(a)
            materials.append(a.name)
        elif skip_disallowed:
            notes.append(f"attachment {a.name} not kept: {why}")
            materials.append(f"{a.name} (not kept: {why})")
        else:
            problems.append(f"attachment {a.name}: R-IN-1: {why} (--skip-disallowed records it without the file)")
    if problems or received is None:
        return Candidate(where, None, tuple(problems))
    intake = Intake(
        channel=channel, name=m.sender_name or m.sender.split("@")[0], contact=m.sender,
        complainant_class=values["complainant_class"], category=values["category"], subject=subject,
        details=m.body.strip() or subject, received_at=received, severity=defaults.severity or "general",
        materials=tuple(materials),
        attachments=tuple({"file": a.name, "sha256": a.sha256, "size": len(a.data), "type": a.mime} for a in kept),
        source={"file": file, "message_id": m.message_id})
    return Candidate(where, intake, (), tuple((a.name, a.data) for a in kept), notes=tuple(notes))


def plan(path: Path, policy: Policy, defaults: Defaults, now: datetime, ask: Ask | None = None,
         skip_disallowed: bool = False) -> Plan:
    return Plan(path, "email", tuple(candidate(where, path.name, raw, policy, defaults, now, ask, skip_disallowed)
                                     for where, raw in messages(path)))

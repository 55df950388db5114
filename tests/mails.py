"""Real e-mail files as Chinese mail clients write them: RFC 2047 subjects and names in GBK or
GB2312, GBK bodies in base64, an HTML-only message, a photo attached under a GBK file name."""

from __future__ import annotations

import base64
import hashlib
import mailbox
from pathlib import Path

# a tiny but real JPEG (SOI, APP0/JFIF, EOI), padded to a known size
PHOTO = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 480 + b"\xff\xd9")
PHOTO_NAME = "现场照片.jpg"


def word(text: str, charset: str = "GBK") -> str:
    """An RFC 2047 encoded-word."""
    return f"=?{charset}?B?{base64.b64encode(text.encode('gb18030')).decode()}?="


def b64(data: bytes) -> str:
    text = base64.b64encode(data).decode()
    return "\r\n".join(text[i:i + 76] for i in range(0, len(text), 76))


def gbk_with_photo(message_id: str = "<20261122091500.1234@mail.example.com>", photo: bytes = PHOTO) -> bytes:
    body = "物业你好:\r\n3栋2单元电梯故障已经三天,老人上下楼很困难,请尽快维修。\r\n业主 王芳 13800138000\r\n"
    return "\r\n".join([
        f"From: {word('王芳')} <wangfang@example.com>",
        "To: kefu@example.com",
        f"Subject: {word('电梯故障三天无人维修', 'GB2312')}",
        "Date: Sun, 22 Nov 2026 09:15:00 +0800",
        f"Message-ID: {message_id}",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="=_BOUNDARY"',
        "",
        "--=_BOUNDARY",
        'Content-Type: text/plain; charset="GBK"',
        "Content-Transfer-Encoding: base64",
        "",
        b64(body.encode("gbk")),
        "--=_BOUNDARY",
        f'Content-Type: image/jpeg; name="{word(PHOTO_NAME)}"',
        f'Content-Disposition: attachment; filename="{word(PHOTO_NAME)}"',
        "Content-Transfer-Encoding: base64",
        "",
        b64(photo),
        "--=_BOUNDARY--",
        "",
    ]).encode("ascii")


def html_only() -> bytes:
    # declared GB2312 but uses 镕, which only GBK has (as Chinese clients often do)
    html = ("<html><head><style>p{color:red}</style></head><body><p>楼道灯坏了一周,&nbsp;没人修。</p>"
            "<div>住户:朱镕</div><script>alert(1)</script></body></html>")
    return "\r\n".join([
        f"From: {word('朱镕')} <zhurong@example.com>",
        f"Subject: {word('楼道灯不亮')}",
        "Date: Sat, 21 Nov 2026 20:03:00 +0800",
        "Message-ID: <html-only-1@mail.example.com>",
        "MIME-Version: 1.0",
        'Content-Type: text/html; charset="gb2312"',
        "Content-Transfer-Encoding: base64",
        "",
        b64(html.encode("gbk")),
        "",
    ]).encode("ascii")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_eml(path: Path, raw: bytes) -> Path:
    path.write_bytes(raw)
    return path


def write_mbox(path: Path, *raws: bytes) -> Path:
    box = mailbox.mbox(str(path))
    for raw in raws:
        box.add(raw)
    box.flush()
    box.close()
    return path


def write_maildir(path: Path, *raws: bytes) -> Path:
    box = mailbox.Maildir(str(path), create=True)
    for raw in raws:
        box.add(raw)
    return path

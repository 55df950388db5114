"""Running the UI: a socket on 127.0.0.1 only (never a wildcard address), uvicorn serving the
guarded application on it until Ctrl-C."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

from complaintctl.web.app import build
from complaintctl.web.guard import TOKEN_PARAM, Secrets
from complaintctl.web.syncing import Syncer, has_origin

LOOPBACK = "127.0.0.1"


def bind(port: int) -> socket.socket:
    """A listening socket on the loopback address (port 0: a free one)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, port))
    sock.listen(64)
    return sock


def url_for(port: int, keys: Secrets) -> str:
    return f"http://{LOOPBACK}:{port}/?{TOKEN_PARAM}={keys.token}"


def serve(root: Path, port: int, announce: Callable[[str], None], sync_every: float = 0) -> None:
    """Serve the office at `root` until interrupted; `announce` gets the address to open.
    `sync_every` seconds (0: never) the clone syncs with its origin, when it has one."""
    import uvicorn

    sock = bind(port)
    port = sock.getsockname()[1]
    keys = Secrets()
    syncer = Syncer(root)
    config = uvicorn.Config(build(root, port, keys, syncer), log_level="warning", access_log=False,
                            server_header=False, proxy_headers=False)
    announce(url_for(port, keys))
    if sync_every > 0 and has_origin(root):
        syncer.every(sync_every)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        syncer.stop.set()

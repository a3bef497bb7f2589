"""`factory-tui serve`: the terminal UI in a browser, through textual-serve.

textual-serve runs a small aiohttp web server. Each browser tab that opens the
page connects a websocket, and the server starts one new process of the UI for
it (``<python> -m factory_tui [settings flags]``), with Textual's web driver
relaying the screen and the keys. Every tab gets its own factory and threads;
closing the tab quits its process.

There is no authentication: anyone who can reach the port can start processes
of this program. So the server binds to loopback (127.0.0.1) unless a host is
given, and warns on stderr when the host is not a loopback address.
"""

from __future__ import annotations

import ipaddress
import shlex
import subprocess
import sys
from typing import Sequence

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
TITLE = "factory-tui"


def is_loopback(host: str) -> bool:
    """True for a name or address that only this machine can reach."""
    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def serve_command(argv: Sequence[str] | None = None) -> str:
    """The shell command textual-serve runs for each browser session
    (it starts it with ``asyncio.create_subprocess_shell``, so it is quoted)."""
    parts = [sys.executable, "-m", "factory_tui", *(argv or [])]
    if sys.platform == "win32":
        return subprocess.list2cmdline(parts)
    return shlex.join(parts)


def _server_class(base: type) -> type:
    """textual-serve's Server, closing every open session when it stops.

    Without this, stopping the server (Ctrl-C, SIGTERM) while a browser tab is
    connected waits for aiohttp's shutdown timeout (60 s) before the session's
    handler is cancelled. Closing the websockets in `on_shutdown` (aiohttp's
    documented pattern) ends each session at once: its handler then stops the
    session's app process (textual-serve sends it "quit" and waits for it).
    """

    class _Server(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._sessions: set = set()

        async def _process_messages(self, websocket, app_service) -> None:
            self._sessions.add(websocket)
            try:
                await super()._process_messages(websocket, app_service)
            finally:
                self._sessions.discard(websocket)

        async def on_shutdown(self, app) -> None:
            await super().on_shutdown(app)
            for websocket in list(self._sessions):
                try:
                    await websocket.close(code=1001, message=b"server shutdown")  # 1001: going away
                except Exception:  # noqa: BLE001 - a session already gone needs no closing
                    pass

    if not hasattr(base, "_process_messages"):  # another textual-serve: keep its own behaviour
        return base
    return _Server


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, argv: list[str] | None = None,
          *, public_url: str | None = None) -> int:
    """Serve the factory-tui UI at http://host:port/ until Ctrl-C (or SIGTERM).

    `argv` are the UI's settings flags (``-n 20 -p 2 ...``), passed to every
    session's process. `public_url` is the address browsers use to reach the
    server (textual-serve writes it into the page, for the websocket): by
    default ``http://host:port``, which is wrong for a wildcard bind such as
    0.0.0.0; give e.g. ``http://myhost.example:8000`` then. Returns an exit
    code: 0 after a clean stop, 1 when textual-serve is not installed or the
    address cannot be bound.
    """
    try:
        from textual_serve.server import Server
    except ImportError:
        print("factory-tui serve: needs the textual-serve package (pip install textual-serve)", file=sys.stderr)
        return 1
    if not is_loopback(host):
        print(f"factory-tui serve: warning: listening on {host}:{port} with no authentication; "
              "anyone who can reach it can start processes on this machine", file=sys.stderr)
    server = _server_class(Server)(serve_command(argv), host=host, port=port, title=TITLE, public_url=public_url)
    try:
        server.serve()
    except OSError as exc:  # the port is taken, the host is not ours
        print(f"factory-tui serve: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0

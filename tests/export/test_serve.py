"""`factory_tui.serve`: the UI in a browser through textual-serve, over real HTTP
and a real websocket session, on loopback only. Every wait is bounded and the
server's whole process group is stopped at the end."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time

import aiohttp
import pytest

from factory_tui.serve import is_loopback, serve_command

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="process groups are POSIX")

HOST = "127.0.0.1"
ANSI = re.compile(rb"\x1b(\[[0-9;?$]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of the group exists (and is not ours to signal)
        return True
    return True


def _wait_until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.fixture
def server(tmp_path):
    """`serve(port=...)` in its own process group; yields (port, process, log path)."""
    port = _free_port()
    log = tmp_path / "serve.log"
    launcher = f"from factory_tui.serve import serve; raise SystemExit(serve(port={port}))"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-c", launcher], stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    pgid = proc.pid  # a new session: the server leads its own group, the app processes join it
    try:
        def listening() -> bool:
            if proc.poll() is not None:
                return True  # dead: stop waiting, the assert below says why
            try:
                with socket.create_connection((HOST, port), timeout=0.5):
                    return True
            except OSError:
                return False

        assert _wait_until(listening, 30.0), "the server did not listen within 30 s"
        assert proc.poll() is None, f"the server exited: {log.read_text(errors='replace')}"
        yield port, proc, log
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                pass
        leaked = _group_alive(pgid) and not _wait_until(lambda: not _group_alive(pgid), 10.0)
        if leaked or proc.poll() is None:  # clean up whatever is left of the group we started
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(5)
        assert not leaked, "a process of the server's group outlived it"


async def _first_screen(ws: aiohttp.ClientWebSocketResponse, needles: tuple[str, ...], timeout: float) -> str:
    """Read the app's output until every needle has been drawn; the text, escapes removed."""
    raw = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = await ws.receive(timeout=max(0.1, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            break
        if msg.type == aiohttp.WSMsgType.BINARY:
            raw += msg.data
            text = ANSI.sub(b"", raw).decode("utf-8", "replace")
            if all(needle in text for needle in needles):
                return text
        elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
            break
    return ANSI.sub(b"", raw).decode("utf-8", "replace")


async def _until_closed(ws: aiohttp.ClientWebSocketResponse, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = await ws.receive(timeout=max(0.1, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            return False
        if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
            return True
    return False


def test_loopback_names():
    for host in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"):
        assert is_loopback(host), host
    for host in ("0.0.0.0", "::", "192.168.1.10", "example.com", ""):
        assert not is_loopback(host), host


def test_the_served_command_is_this_python_running_the_ui():
    argv = ["-n", "20", "--stop", "abort", "--record", "my run; rm -rf x.jsonl"]
    # textual-serve runs it through a shell: every part must come back as one word
    assert shlex.split(serve_command(argv)) == [sys.executable, "-m", "factory_tui", *argv]
    assert shlex.split(serve_command()) == [sys.executable, "-m", "factory_tui"]


def test_a_non_loopback_host_warns_on_stderr():
    # 192.0.2.1 is a documentation address (RFC 5737), never this machine's: the
    # bind fails right after the warning, so nothing is ever exposed
    code = "from factory_tui.serve import serve; raise SystemExit(serve(host='192.0.2.1', port=8000))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    warnings = [line for line in result.stderr.splitlines() if "no authentication" in line]
    assert len(warnings) == 1 and "warning" in warnings[0] and "192.0.2.1" in warnings[0], result.stderr
    assert result.returncode == 1
    assert "cannot listen on 192.0.2.1:8000" in result.stderr


async def test_page_and_a_websocket_session_show_the_first_screen(server):
    port, proc, log = server
    timeout = aiohttp.ClientTimeout(total=60, sock_connect=10)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        # the page: HTML of a Textual app titled factory-tui, pointing at our websocket
        async with session.get(f"http://{HOST}:{port}/") as response:
            assert response.status == 200
            assert response.content_type == "text/html"
            html = await response.text()
        assert "textual" in html.lower() and "factory-tui" in html
        urls = re.findall(r'data-session-websocket-url="([^"]+)"', html)
        assert urls == [f"ws://{HOST}:{port}/ws"]

        # a session, as the page's script opens it: size in the query, then resize
        async with session.ws_connect(f"{urls[0]}?width=120&height=40", heartbeat=None) as ws:
            await ws.send_str(json.dumps(["resize", {"width": 120, "height": 40}]))
            text = await _first_screen(ws, ("settings", "IDLE", "producer_1"), 30.0)
            assert "settings" in text and "IDLE" in text and "producer_1" in text, \
                f"first screen not seen; got {text[-400:]!r}\nserver log: {log.read_text(errors='replace')[-2000:]}"
            assert "widgets (n)" in text and "buffer" in text

            # the protocol's ping is answered
            await ws.send_str(json.dumps(["ping", "hello"]))
            pong = None
            deadline = time.monotonic() + 10
            while pong is None and time.monotonic() < deadline:
                msg = await ws.receive(timeout=10)
                if msg.type == aiohttp.WSMsgType.TEXT:
                    pong = json.loads(msg.data)
            assert pong == ["pong", "hello"]

            # keys go to the app: `q` quits it and the server closes the session
            await ws.send_str(json.dumps(["stdin", "q"]))
            assert await _until_closed(ws, 20.0), "the app did not quit on q"

        # a second session, left open: stopping the server must not leave its app behind
        async with session.ws_connect(f"ws://{HOST}:{port}/ws?width=80&height=24", heartbeat=None) as ws:
            await ws.send_str(json.dumps(["resize", {"width": 80, "height": 24}]))
            text = await _first_screen(ws, ("settings", "IDLE"), 30.0)
            assert "settings" in text and "IDLE" in text, f"80x24 first screen not seen; got {text[-400:]!r}"
            proc.send_signal(signal.SIGTERM)
            assert await _until_closed(ws, 20.0), "the session outlived the server"
    proc.wait(20)
    assert proc.returncode == 0
    assert "no authentication" not in log.read_text(errors="replace")  # loopback: no warning
    # the fixture then checks that nothing of the server's process group is left

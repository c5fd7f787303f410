"""Shared fixtures: the real data mirror, an HTTP server over it with injectable faults, a private cache.

The server is a real `http.server` on 127.0.0.1 (ephemeral port, one thread per request), so the fetch
layer is tested through real sockets: timeouts, dropped connections and short bodies are the genuine
articles, not mocks. Faults are set per URL path by the test and counted per path.
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote
from urllib.parse import urlsplit

import pytest

MIRROR_DIR = Path(__file__).resolve().parents[1].parent / "shared/data/mirror"
FAULT_KINDS = ("status", "drop", "short", "slow", "no_length")


@dataclass
class Fault:
    """One injected misbehaviour for a path, applied to the next `times` requests (None: to all of them).

    status:    answer with HTTP `status` and a small body instead of the file
    drop:      send the headers and half the body, then reset the connection (RST)
    short:     promise the full Content-Length, send half the body, then close cleanly (FIN)
    slow:      sleep `delay` seconds before answering (past the client's read timeout), then serve normally
    no_length: serve the file without a Content-Length header (body delimited by closing the connection)
    """

    kind: str
    times: int | None = None
    status: int = 500
    delay: float = 1.0


class MirrorServer:
    """A threaded HTTP server over a directory, with per-path faults and request counts."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.faults: dict[str, Fault] = {}
        self.requests: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.httpd.daemon_threads = True  # a handler still sleeping for a "slow" fault must not block exit
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="mirror-server", daemon=True)

    def url(self, relative: str) -> str:
        """The URL of `relative` (`HOST/PATH` in the mirror) on this server."""
        return f"{self.base_url}/{relative.lstrip('/')}"

    def fault(self, relative: str, kind: str, times: int | None = None, **options: float) -> None:
        """Inject a fault for requests of `relative` (a mirror-relative path or a full URL on this server)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {FAULT_KINDS}")
        with self.lock:
            self.faults[self._key(relative)] = Fault(kind, times, **options)  # type: ignore[arg-type]

    def hits(self, relative: str) -> int:
        """How many requests for `relative` the server has seen."""
        with self.lock:
            return self.requests[self._key(relative)]

    def total_hits(self) -> int:
        with self.lock:
            return sum(self.requests.values())

    def reset(self) -> None:
        with self.lock:
            self.faults.clear()
            self.requests.clear()

    def _key(self, relative: str) -> str:
        path = urlsplit(relative).path if "://" in relative else relative
        return "/" + unquote(path).lstrip("/")

    def _take_fault(self, key: str) -> Fault | None:
        with self.lock:
            self.requests[key] += 1
            fault = self.faults.get(key)
            if fault is None:
                return None
            if fault.times is not None:
                if fault.times <= 0:
                    return None
                fault.times -= 1
            return fault


def _handler_for(server: MirrorServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one request per connection: faults and counts stay simple

        def do_GET(self) -> None:
            key = "/" + unquote(urlsplit(self.path).path).lstrip("/")
            fault = server._take_fault(key)
            if fault is not None and fault.kind == "slow":
                time.sleep(fault.delay)
            if fault is not None and fault.kind == "status":
                self._send_status(fault.status)
                return
            parts = [p for p in key.split("/") if p]
            if any(p in (".", "..") for p in parts) or not parts:
                self._send_status(404)
                return
            path = server.root.joinpath(*parts)
            if not path.is_file():
                self._send_status(404)
                return
            body = path.read_bytes()
            kind = fault.kind if fault is not None else None
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            if kind != "no_length":
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if kind == "drop":
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                # SO_LINGER 0: close() sends a RST, the client sees "connection reset" mid-body
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True
                return
            if kind == "short":
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True  # orderly close: the client sees EOF before Content-Length
                return
            self.wfile.write(body)

        def _send_status(self, status: int) -> None:
            body = f"status {status}\n".encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def handle(self) -> None:
            # the client gave up first (timeouts) or we reset on purpose: expected in these tests
            with contextlib.suppress(OSError):
                super().handle()

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output clean; counts are in `server.requests`

    return Handler


@pytest.fixture(scope="session")
def mirror_dir() -> Path:
    """The real data mirror beside the repository (`../shared/data/mirror`). Missing -> error, not skip:
    the suite is meant to run on the real files, and silently skipping would hide that."""
    if not MIRROR_DIR.is_dir():
        pytest.fail(f"the data mirror {MIRROR_DIR} is missing; the tests need ../shared/data/mirror", pytrace=False)
    return MIRROR_DIR


@pytest.fixture(scope="session")
def _mirror_server_session(mirror_dir: Path) -> Iterator[MirrorServer]:
    server = MirrorServer(mirror_dir)
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


@pytest.fixture
def mirror_server(_mirror_server_session: MirrorServer) -> MirrorServer:
    """The HTTP server over the mirror, with faults and request counts cleared for this test."""
    _mirror_server_session.reset()
    return _mirror_server_session


@pytest.fixture(autouse=True)
def lrx_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty LRX_CACHE, fast retries and short timeouts, and no LRX_MIRROR or
    LRX_OFFLINE inherited from the shell: no test reads or writes the user's real cache."""
    cache = tmp_path_factory.mktemp("lrx-cache")
    monkeypatch.setenv("LRX_CACHE", str(cache))
    monkeypatch.setenv("LRX_RETRY_BACKOFF", "0.01")
    monkeypatch.setenv("LRX_TIMEOUT", "5")
    monkeypatch.delenv("LRX_ATTEMPTS", raising=False)
    monkeypatch.delenv("LRX_MIRROR", raising=False)
    monkeypatch.delenv("LRX_OFFLINE", raising=False)
    return cache


@pytest.fixture
def mirror_env(mirror_dir: Path, lrx_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """LRX_MIRROR pointing at the real mirror directory (with the private cache): loaders read real files."""
    monkeypatch.setenv("LRX_MIRROR", str(mirror_dir))
    return mirror_dir


@pytest.fixture(scope="module")
def mirror_env_module(mirror_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """For module-scoped fixtures that load real data once: LRX_MIRROR and a private cache of the module's own
    (each test still gets `lrx_cache`'s clean environment for what it does itself)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LRX_MIRROR", str(mirror_dir))
        patch.setenv("LRX_CACHE", str(tmp_path_factory.mktemp("lrx-cache-module")))
        patch.setenv("LRX_RETRY_BACKOFF", "0.01")
        patch.delenv("LRX_OFFLINE", raising=False)
        yield mirror_dir


# -- the core install ------------------------------------------------------------------------------------------
# A test that needs an optional extra (pyproject.toml) says so: `pytestmark = pytest.mark.extra("train")`. In the
# README's install every extra is there and every test runs (a missing extra fails the test, it is not skipped).
# `LRX_TEST_CORE=1` runs the rest against the core install (`pip install lrx`, no extras): the marked tests are
# deselected, and the run's header and summary say how many.
CORE_ONLY = os.environ.get("LRX_TEST_CORE") == "1"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "extra(name): the test needs this optional extra of lrx (pyproject.toml)")


def pytest_report_header(config: pytest.Config) -> str | None:
    return "LRX_TEST_CORE=1: tests marked extra(...) are deselected (the core install)" if CORE_ONLY else None


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """A whole module marked `pytestmark = pytest.mark.extra(...)` is not even imported in a core-only run (its
    imports would fail there); it is listed in the run's output instead."""
    is_test_module = collection_path.suffix == ".py" and collection_path.name.startswith("test_")
    if CORE_ONLY and is_test_module and "pytestmark = pytest.mark.extra(" in collection_path.read_text("utf-8"):
        print(f"\nLRX_TEST_CORE=1: not collected (needs an extra): {collection_path.name}")
        return True
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not CORE_ONLY:
        return
    needs_extra = [item for item in items if item.get_closest_marker("extra") is not None]
    if needs_extra:
        config.hook.pytest_deselected(items=needs_extra)
        items[:] = [item for item in items if item.get_closest_marker("extra") is None]

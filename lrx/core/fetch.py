"""URL -> verified local path: the one download path every loader goes through.

`fetch(url, sha256=..., max_bytes=...)` returns a local file holding the content of `url`:

* `http(s)://` URLs are downloaded into a cache (`LRX_CACHE`, default the platform's user cache dir) laid
  out as `<cache>/<host>/<path>`, with a sidecar `<file>.lrx.json` recording url, size, sha256 and fetch
  time. Every read from the cache re-checks size and sha256 against the sidecar (and the caller's pin), so a
  truncated or corrupted entry is noticed and fetched again instead of being parsed as if it were whole.
* Downloads stream into a temporary file in the destination directory (same filesystem, so the final
  `os.replace` is atomic), hashing and counting as they go; the final path only ever holds a complete,
  verified file. Transient failures (connection errors, timeouts, dropped or short bodies, HTTP 5xx/429)
  are retried with exponential backoff; other 4xx fail at once.
* `LRX_MIRROR` (a directory or an http(s) base URL) replaces the network: `https://HOST/PATH` is read from
  `$LRX_MIRROR/HOST/PATH`, through the same streaming and verification. `LRX_OFFLINE=1` never touches the
  network and only returns verified cached files.
* `file://` URLs and plain local paths are read in place (checked against the pin if one is given).

The environment is read on every call, not at import time, so tests and long-lived processes can change it.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import logging
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from functools import partial
from pathlib import Path
from urllib.parse import quote
from urllib.parse import unquote
from urllib.parse import urlsplit
from urllib.request import url2pathname

import platformdirs
import requests
import urllib3

from lrx.core.errors import FetchError

__all__ = [
    "DEFAULT_ATTEMPTS",
    "DEFAULT_BACKOFF",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TIMEOUT",
    "SIDECAR_SUFFIX",
    "FetchSettings",
    "cache_path_for",
    "fetch",
]

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 1 << 30
"""Refuse anything larger than 1 GiB unless the caller raises the limit (a runaway or wrong URL must not
fill the disk)."""

DEFAULT_TIMEOUT = 30.0
"""Seconds for connecting and for each read; a read timeout is a stall limit, not a total-time limit."""

DEFAULT_ATTEMPTS = 4
DEFAULT_BACKOFF = 1.0
"""Base of the exponential backoff in seconds: waits of 1, 2, 4 s between the default 4 attempts."""

MAX_BACKOFF = 60.0
SIDECAR_SUFFIX = ".lrx.json"
PROGRESS_MIN_BYTES = 1 << 20
CHUNK_BYTES = 1 << 16
USER_AGENT = "lrx/0.1 (python-requests)"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}
_HOST = re.compile(r"[a-z0-9_]([a-z0-9._-]*[a-z0-9_])?")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MAX_NAME_BYTES = 200  # below the usual 255-byte file name limit, leaving room for temp/sidecar suffixes

# requests errors that another attempt cannot fix: the URL itself is wrong.
_PERMANENT_REQUEST_ERRORS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.URLRequired,
    requests.exceptions.InvalidHeader,
    requests.exceptions.TooManyRedirects,
)
# Anything else raised while talking to the server (including errors urllib3 or http.client let through
# unwrapped while streaming a body) is treated as transient and retried.
_TRANSIENT_ERRORS = (
    requests.RequestException,
    urllib3.exceptions.HTTPError,
    http.client.HTTPException,
    OSError,
)


# -- settings ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchSettings:
    """Everything `fetch` takes from the environment, parsed and validated in one place."""

    cache_dir: Path
    offline: bool = False
    mirror: str | None = None
    connect_timeout: float = DEFAULT_TIMEOUT
    read_timeout: float = DEFAULT_TIMEOUT
    attempts: int = DEFAULT_ATTEMPTS
    backoff: float = DEFAULT_BACKOFF

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> FetchSettings:
        """Read the settings from `environ` (default `os.environ`) now.

        LRX_CACHE          cache directory (default: `platformdirs.user_cache_dir("lrx")`)
        LRX_OFFLINE        1/true/yes/on: never use the network
        LRX_MIRROR         a directory, `file://` URL or http(s) base URL standing in for the network
        LRX_TIMEOUT        seconds for connect and read (`30`), or `CONNECT,READ` (`10,60`)
        LRX_ATTEMPTS       total attempts per download (default 4)
        LRX_RETRY_BACKOFF  base of the exponential backoff between attempts, seconds (default 1)

        Raises ValueError naming the variable when a value cannot be parsed.
        """
        env = os.environ if environ is None else environ
        cache = env.get("LRX_CACHE", "").strip() or platformdirs.user_cache_dir("lrx")
        offline_text = env.get("LRX_OFFLINE", "").strip().lower()
        if offline_text not in _TRUE | _FALSE:
            raise ValueError(f"LRX_OFFLINE={env['LRX_OFFLINE']!r}: expected 1/0, true/false, yes/no or on/off")
        connect, read = _parse_timeout(env.get("LRX_TIMEOUT", "").strip())
        attempts = _parse_number(env, "LRX_ATTEMPTS", int, DEFAULT_ATTEMPTS, minimum=1)
        backoff = _parse_number(env, "LRX_RETRY_BACKOFF", float, DEFAULT_BACKOFF, minimum=0)
        return cls(
            # absolute now, so a later chdir cannot move the cache under a running process
            cache_dir=Path(os.path.abspath(Path(cache).expanduser())),
            offline=offline_text in _TRUE,
            mirror=env.get("LRX_MIRROR", "").strip() or None,
            connect_timeout=connect,
            read_timeout=read,
            attempts=int(attempts),
            backoff=float(backoff),
        )

    @property
    def mirror_base_url(self) -> str | None:
        """The mirror as an http(s) base URL, or None when there is no mirror or it is a directory."""
        if self.mirror and urlsplit(self.mirror).scheme.lower() in ("http", "https"):
            return self.mirror.rstrip("/")
        return None

    @property
    def mirror_dir(self) -> Path | None:
        """The mirror as a local directory (plain path or `file://` URL), or None."""
        if not self.mirror or self.mirror_base_url:
            return None
        if self.mirror.startswith("file://"):
            return Path(url2pathname(urlsplit(self.mirror).path))
        return Path(self.mirror).expanduser()


def _parse_timeout(text: str) -> tuple[float, float]:
    if not text:
        return DEFAULT_TIMEOUT, DEFAULT_TIMEOUT
    pieces = [p.strip() for p in text.split(",")]
    try:
        values = [float(p) for p in pieces]
    except ValueError:
        values = []
    if len(values) not in (1, 2) or any(not v > 0 for v in values):
        raise ValueError(f"LRX_TIMEOUT={text!r}: expected positive seconds, e.g. '30' or '10,60' (connect,read)")
    return values[0], values[-1]


def _parse_number(env: Mapping[str, str], name: str, kind: type, default: float, *, minimum: float) -> float:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        raise ValueError(f"{name}={text!r}: expected a {kind.__name__} >= {minimum}") from None
    if value < minimum:
        raise ValueError(f"{name}={text!r}: expected a {kind.__name__} >= {minimum}")
    return value


# -- cache layout --------------------------------------------------------------------------------------------


def cache_path_for(url: str, cache_dir: str | Path | None = None) -> Path:
    """Where the cache keeps `url`: `<cache_dir>/<host>/<path>` (default cache dir from the environment).

    The path is percent-decoded and split into segments; `..` segments, backslashes, NUL bytes and hosts
    that are not plain names are refused, so no URL can name a file outside the cache. A query string is
    hashed into the file name (`name-q<hash>.ext`), keeping the extension that loaders may look at.
    Raises FetchError naming the URL when it cannot be mapped safely.
    """
    root = Path(cache_dir) if cache_dir is not None else FetchSettings.from_env().cache_dir
    return _inside(root, _relative_parts(url), url)


def _relative_parts(url: str) -> list[str]:
    """The `HOST/PATH` segments under which both the cache and a mirror keep `url`."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchError(f"{url}: unsupported URL scheme {parts.scheme!r} (expected http, https or file)")
    try:
        host = parts.hostname or ""
        port = parts.port
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except (ValueError, UnicodeError) as error:
        raise FetchError(f"{url}: invalid host or port: {error}") from None
    host = host.replace(":", "_")  # IPv6 literals; ':' is not allowed in Windows file names
    if not _HOST.fullmatch(host):
        raise FetchError(f"{url}: refusing host {parts.hostname!r}: not a plain host name")
    if port is not None:
        host = f"{host}_{port}"  # '_' cannot occur in a DNS host name, so this cannot collide with a host

    segments: list[str] = []
    decoded = unquote(parts.path)  # decode first, so that %2e%2e and %2f are seen for what they are
    for segment in decoded.split("/"):
        if segment in ("", "."):
            continue
        if segment == ".." or "\\" in segment or "\x00" in segment or (os.name == "nt" and ":" in segment):
            raise FetchError(f"{url}: refusing path segment {segment!r}: it could escape the cache directory")
        segments.append(segment)
    if not segments or decoded.endswith("/"):
        segments.append("_index")  # a directory URL; keeps `a/` and `a/b` from fighting over the name `a`
    name = segments[-1]
    if parts.query:
        stem, dot, ext = name.rpartition(".")
        tag = "-q" + hashlib.sha256(parts.query.encode()).hexdigest()[:16]
        name = f"{stem}{tag}.{ext}" if dot and stem else f"{name}{tag}"
    if name.endswith(SIDECAR_SUFFIX):
        raise FetchError(f"{url}: refusing a file name ending in {SIDECAR_SUFFIX!r} (the cache's sidecars)")
    segments[-1] = name
    return [host, *(_fit(s) for s in segments)]


def _fit(segment: str) -> str:
    """Shorten an over-long file name, keeping it unique (a hash) and its extension."""
    if len(segment.encode()) <= _MAX_NAME_BYTES:
        return segment
    digest = hashlib.sha256(segment.encode()).hexdigest()[:16]
    ext = os.path.splitext(segment)[1][:16]
    return f"{segment[:80].encode()[:80].decode(errors='ignore')}-h{digest}{ext}"


def _inside(root: Path, segments: list[str], url: str) -> Path:
    """`root/segments...`, checked once more (lexically) to be strictly inside `root`."""
    path = root.joinpath(*segments)
    base = os.path.normpath(root)
    if os.path.commonpath([base, os.path.normpath(path)]) != base or os.path.normpath(path) == base:
        raise FetchError(f"{url}: refusing {path}: outside {root}")
    return path


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


# -- the entry point -----------------------------------------------------------------------------------------


def fetch(url: str, *, sha256: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Path:
    """Return a local path holding the verified content of `url`.

    `sha256` pins the content (hex digest); `max_bytes` caps the size of anything downloaded or copied.
    Local paths and `file://` URLs are returned in place. Every failure raises FetchError naming the URL.
    """
    try:
        settings = FetchSettings.from_env()
    except ValueError as error:
        raise FetchError(f"{url}: bad fetch setting: {error}") from None
    pin = _normalise_pin(url, sha256)

    local = _local_path(url)
    if local is not None:
        return _read_in_place(url, local, pin)

    dest = cache_path_for(url, settings.cache_dir)
    problem = _check_cached(dest, url, pin)
    if problem is None:
        size = dest.stat().st_size
        if size > max_bytes:
            raise FetchError(f"{url}: cached file {dest} is {size} bytes, more than max_bytes={max_bytes}")
        return dest
    if problem != _NOT_CACHED:
        logger.warning("%s: cached copy %s is unusable (%s); fetching it again", url, dest, problem)
    if settings.offline:
        why = "is not cached" if problem == _NOT_CACHED else f"has no usable cached copy ({problem})"
        raise FetchError(f"{url} {why} and LRX_OFFLINE is set (looked for {dest})")

    try:
        mirror_dir = settings.mirror_dir
        if mirror_dir is not None:
            return _copy_from_directory(url, mirror_dir, dest, pin, max_bytes)
        source = url
        if settings.mirror_base_url is not None:
            segments = _relative_parts(url)
            source = settings.mirror_base_url + "/" + "/".join(quote(s) for s in segments)
        return _download(url, source, dest, settings, pin, max_bytes)
    except OSError as error:  # local I/O outside the guarded paths above, e.g. reading a mirror file
        raise FetchError(f"{url}: I/O error while caching it at {dest}: {error}") from error


def local_copy(url: str) -> Path | None:
    """The file for `url` already on this machine, found without downloading or copying anything: a local path,
    the LRX_MIRROR directory's copy, or the cache's; None otherwise. Not verified: for listing what is available
    (`lrx languages`), never for reading data, which goes through `fetch`."""
    local = _local_path(url)
    if local is not None:
        return local if local.is_file() else None
    settings = FetchSettings.from_env()
    segments = _relative_parts(url)
    for root in (settings.cache_dir, settings.mirror_dir):
        if root is not None and (path := _inside(root, segments, url)).is_file():
            return path
    return None


def _normalise_pin(url: str, sha256: str | None) -> str | None:
    if sha256 is None:
        return None
    pin = sha256.strip().lower().removeprefix("sha256:")
    if not _SHA256.fullmatch(pin):
        raise FetchError(f"{url}: invalid sha256 pin {sha256!r} (expected 64 hex digits)")
    return pin


# -- local files ---------------------------------------------------------------------------------------------


def _local_path(url: str) -> Path | None:
    """The file a `file://` URL or plain path names; None for anything that needs fetching."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise FetchError(f"{url}: file URL on a remote host {parts.netloc!r} is not supported")
        return Path(url2pathname(parts.path))
    if scheme == "" or len(scheme) == 1:  # no scheme, or a Windows drive letter (`C:\...`)
        return Path(url).expanduser()
    return None


def _read_in_place(url: str, path: Path, pin: str | None) -> Path:
    if path.is_dir():
        raise FetchError(f"{url}: is a directory, not a file")
    if not path.is_file():
        raise FetchError(f"{url}: no such file" + ("" if str(path) == url else f" {path}"))
    if pin is not None:
        try:
            _, digest = _hash_file(path)
        except OSError as error:
            raise FetchError(f"{url}: cannot read {path}: {error}") from error
        if digest != pin:
            raise FetchError(f"{url}: sha256 mismatch for {path}: expected {pin}, got {digest}")
    return path


def _hash_file(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        for chunk in iter(partial(f.read, 1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


# -- cache reads ---------------------------------------------------------------------------------------------

_NOT_CACHED = "not cached"


def _check_cached(path: Path, url: str, pin: str | None) -> str | None:
    """None when `path` is a complete, verified copy of `url`; otherwise why it cannot be used."""
    if not path.is_file():
        return _NOT_CACHED
    try:
        meta = json.loads(_sidecar(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "its sidecar is missing"
    except (OSError, ValueError) as error:
        return f"its sidecar is unreadable: {error}"
    if not isinstance(meta, dict) or not isinstance(meta.get("size"), int) or not meta.get("sha256"):
        return "its sidecar lacks size or sha256"
    if meta.get("url") != url:
        return f"it was fetched from another URL ({meta.get('url')!r})"
    try:
        if path.stat().st_size != meta["size"]:
            return f"size {path.stat().st_size} differs from the recorded {meta['size']} (truncated?)"
        _, digest = _hash_file(path)
    except OSError as error:
        return f"it cannot be read: {error}"
    if digest != meta["sha256"]:
        return "its sha256 differs from the recorded one (corrupted?)"
    if pin is not None and digest != pin:
        return f"its sha256 {digest} differs from the pinned {pin}"
    return None


# -- writing into the cache ----------------------------------------------------------------------------------


class _Transient(Exception):
    """A failure another attempt may cure; `retry_after` is the server's hint in seconds, if any."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _commit(
    url: str,
    source: str,
    chunks: Iterable[bytes],
    dest: Path,
    *,
    expected_size: int | None,
    pin: str | None,
    max_bytes: int,
    advance: Callable[[int], object] = lambda n: None,
) -> Path:
    """Stream `chunks` into a temp file beside `dest`, verify, then atomically move it into place.

    The temp file lives in `dest`'s directory so `os.replace` never crosses filesystems (and so is atomic);
    it is removed on any failure, including an interrupt, so neither a partial file nor debris remains.
    """

    def disk_error(error: OSError) -> FetchError:
        # a local problem (permissions, disk full): not something another download attempt would cure
        return FetchError(f"{url}: cannot write to the cache at {dest}: {error}")

    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name[:100]}.", suffix=".part")
    except OSError as error:
        raise disk_error(error) from error
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        size = 0
        with os.fdopen(fd, "wb") as out:
            iterator = iter(chunks)
            while True:
                try:
                    chunk = next(iterator)
                except StopIteration:
                    break
                except _TRANSIENT_ERRORS as error:  # the connection broke (or stalled) mid-body
                    of = "" if expected_size is None else f" of {expected_size}"
                    raise _Transient(f"body broken off after {size}{of} bytes: {error}") from error
                if not chunk:
                    continue
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"{url}: more than max_bytes={max_bytes} bytes; aborted after {size}")
                digest.update(chunk)
                try:
                    out.write(chunk)
                except OSError as error:
                    raise disk_error(error) from error
                advance(len(chunk))
            try:
                out.flush()
                os.fsync(out.fileno())  # the data must be on disk before the rename makes it visible
            except OSError as error:
                raise disk_error(error) from error
        if expected_size is not None and size != expected_size:
            raise _Transient(f"short body: got {size} of {expected_size} bytes")
        hexdigest = digest.hexdigest()
        if pin is not None and hexdigest != pin:
            raise FetchError(f"{url}: sha256 mismatch: expected {pin}, got {hexdigest} (from {source})")
        try:
            os.chmod(tmp, 0o644)  # mkstemp makes 0600 files; cached data is not secret
            os.replace(tmp, dest)
        except OSError as error:
            raise disk_error(error) from error
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:
        _write_sidecar(dest, {"url": url, "source": source, "size": size, "sha256": hexdigest})
    except OSError as error:
        raise disk_error(error) from error
    return dest


def _write_sidecar(dest: Path, meta: dict[str, object]) -> None:
    """Write `<dest>.lrx.json` atomically. Written after the data: if we die in between, the old or missing
    sidecar no longer matches and the next read fetches again, so the pair is never trusted half-written."""
    meta = {**meta, "fetched_at": datetime.now(UTC).isoformat(timespec="seconds")}
    side = _sidecar(dest)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{side.name[:100]}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(meta, out, indent=1)
            out.write("\n")
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, side)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _copy_from_directory(url: str, mirror_dir: Path, dest: Path, pin: str | None, max_bytes: int) -> Path:
    """Copy `url` from a directory mirror into the cache, through the same checks as a download."""
    if not mirror_dir.is_dir():
        raise FetchError(f"{url}: LRX_MIRROR directory {mirror_dir} does not exist")
    source = _inside(mirror_dir, _relative_parts(url), url)
    if not source.is_file():
        raise FetchError(f"{url}: not in the mirror (looked for {source})")
    size = source.stat().st_size
    if size > max_bytes:
        raise FetchError(f"{url}: {source} is {size} bytes, more than max_bytes={max_bytes}")
    with source.open("rb") as f:
        try:
            return _commit(
                url, str(source), iter(partial(f.read, CHUNK_BYTES), b""), dest,
                expected_size=size, pin=pin, max_bytes=max_bytes,
            )  # fmt: skip
        except _Transient as error:  # the mirror file changed while we copied it
            raise FetchError(f"{url}: copying {source}: {error}") from None


# -- downloads -----------------------------------------------------------------------------------------------


def _download(
    url: str,
    source: str,
    dest: Path,
    settings: FetchSettings,
    pin: str | None,
    max_bytes: int,
) -> Path:
    """Download `source` (the URL itself or its mirror) into the cache as `url`, retrying transient errors."""
    where = url if source == url else f"{url} (from {source})"
    last: BaseException | None = None
    with requests.Session() as session:
        # identity: the byte count must be comparable to Content-Length, and the cache holds what the URL
        # names, not a transfer encoding of it
        session.headers.update({"User-Agent": USER_AGENT, "Accept-Encoding": "identity"})
        for attempt in range(1, settings.attempts + 1):
            retry_after = None
            try:
                return _download_once(session, url, source, where, dest, settings, pin, max_bytes)
            except _Transient as error:
                last, retry_after = error, error.retry_after
            except _PERMANENT_REQUEST_ERRORS as error:
                raise FetchError(f"{where}: {error}") from error
            except _TRANSIENT_ERRORS as error:
                last = error
            if attempt < settings.attempts:
                delay = min(settings.backoff * 2 ** (attempt - 1), MAX_BACKOFF)
                if retry_after is not None:
                    delay = max(delay, min(retry_after, MAX_BACKOFF))
                n = settings.attempts
                logger.warning("%s: attempt %d/%d failed (%s); retrying in %.2fs", where, attempt, n, last, delay)
                time.sleep(delay)
    raise FetchError(f"{where}: giving up after {settings.attempts} attempts: {last}")


def _download_once(
    session: requests.Session,
    url: str,
    source: str,
    where: str,
    dest: Path,
    settings: FetchSettings,
    pin: str | None,
    max_bytes: int,
) -> Path:
    timeout = (settings.connect_timeout, settings.read_timeout)
    with session.get(source, stream=True, timeout=timeout) as response:
        status = response.status_code
        if status == 429 or status >= 500:
            raise _Transient(f"HTTP {status} {response.reason}", _retry_after(response))
        if status >= 400:
            raise FetchError(f"{where}: HTTP {status} {response.reason}")
        if status != 200:
            raise FetchError(f"{where}: unexpected HTTP status {status} {response.reason}")
        length = _content_length(response)
        if length is not None and length > max_bytes:
            raise FetchError(f"{where}: Content-Length {length} is more than max_bytes={max_bytes}")
        # A server that ignores `identity` still gets decoded by requests; its Content-Length then counts
        # encoded bytes, so only the sha256 pin (if any) can check the result.
        encoded = response.headers.get("Content-Encoding", "identity").strip().lower() not in ("", "identity")
        expected = None if encoded else length
        with _progress(dest.name, expected) as advance:
            return _commit(
                url, source, response.iter_content(CHUNK_BYTES), dest,
                expected_size=expected, pin=pin, max_bytes=max_bytes, advance=advance,
            )  # fmt: skip


def _content_length(response: requests.Response) -> int | None:
    try:
        value = int(response.headers.get("Content-Length", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


def _retry_after(response: requests.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None  # absent, or an HTTP date: fall back to our own backoff


@contextlib.contextmanager
def _progress(label: str, total: int | None) -> Iterator[Callable[[int], object]]:
    """A rich progress bar on stderr for big or unknown-size downloads, only when a person is watching."""
    if not _stderr_is_terminal() or (total is not None and total <= PROGRESS_MIN_BYTES):
        yield lambda n: None
        return
    from rich.console import Console  # imported here: most fetches never show a bar
    from rich.progress import BarColumn
    from rich.progress import DownloadColumn
    from rich.progress import Progress
    from rich.progress import TextColumn
    from rich.progress import TimeRemainingColumn
    from rich.progress import TransferSpeedColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield partial(bar.advance, task)


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stderr
        return False

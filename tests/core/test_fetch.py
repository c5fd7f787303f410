"""The fetch layer against a real HTTP server over the real mirror files, with injected faults."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from pathlib import Path

import pytest

from lrx.core import fetch as fetch_module
from lrx.core.errors import FetchError
from lrx.core.fetch import DEFAULT_MAX_BYTES
from lrx.core.fetch import FetchSettings
from lrx.core.fetch import cache_path_for
from lrx.core.fetch import fetch

GATITOS = "raw.githubusercontent.com/google-research/url-nlp/ec1cfc8ca7c1e26a59f122f4a2a5bb94910bfa15/gatitos/en_ee.tsv"
GATITOS_URL = f"https://{GATITOS}"
GATITOS_SHA256 = "2d16398fa50ed696e2fa89f46bbf7ad9111219eb9a4d94ff963bf52909f64ad1"  # checksums/gatitos.sha256
FREEDICT = (
    "raw.githubusercontent.com/freedict/fd-dictionaries/c4ec720264bdcc2e34ce604d9308f5948ae7b7b7/eng-swh/eng-swh.tei"
)
FREEDICT_URL = f"https://{FREEDICT}"


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture
def via_server(mirror_server, monkeypatch):
    """LRX_MIRROR = the HTTP server: `https://HOST/PATH` URLs are downloaded from it."""
    monkeypatch.setenv("LRX_MIRROR", mirror_server.base_url)
    return mirror_server


# -- plain downloads -----------------------------------------------------------------------------------------


def test_gatitos_download_is_byte_for_byte_and_cached_with_sidecar(via_server, mirror_dir, lrx_cache):
    path = fetch(GATITOS_URL, sha256=GATITOS_SHA256)

    assert path == lrx_cache / GATITOS
    assert path.read_bytes() == (mirror_dir / GATITOS).read_bytes()
    meta = json.loads(path.with_name(path.name + ".lrx.json").read_text())
    assert meta["url"] == GATITOS_URL
    assert meta["size"] == path.stat().st_size
    assert meta["sha256"] == GATITOS_SHA256
    assert meta["source"] == via_server.url(GATITOS)
    assert meta["fetched_at"].endswith("+00:00")
    assert via_server.hits(GATITOS) == 1
    # nothing but the file and its sidecar: no temp files left behind
    assert files_under(lrx_cache) == sorted([path, path.with_name(path.name + ".lrx.json")])

    # a second fetch is served (verified) from the cache
    assert fetch(GATITOS_URL, sha256=GATITOS_SHA256) == path
    assert via_server.hits(GATITOS) == 1


def test_freedict_tei_direct_from_server_url(mirror_server, mirror_dir, lrx_cache):
    url = mirror_server.url(FREEDICT)
    expected = mirror_dir / FREEDICT
    path = fetch(url, sha256=sha256_of(expected))

    assert path.read_bytes() == expected.read_bytes()
    # a URL with a port is cached under `host_port`
    assert path == lrx_cache / f"127.0.0.1_{mirror_server.port}" / FREEDICT
    assert mirror_server.hits(FREEDICT) == 1


def test_download_without_content_length(mirror_server, mirror_dir):
    mirror_server.fault(FREEDICT, "no_length")
    path = fetch(mirror_server.url(FREEDICT))
    assert path.read_bytes() == (mirror_dir / FREEDICT).read_bytes()


def test_silent_when_stderr_is_not_a_terminal(mirror_server, capfd):
    fetch(mirror_server.url(FREEDICT))  # unknown-size would show a bar on a terminal; not here
    assert capfd.readouterr().err == ""


def test_progress_bar_only_for_large_or_unknown_sizes_on_a_terminal(monkeypatch):
    shown = []

    class FakeProgress:
        def __init__(self, *columns, **options):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def add_task(self, label, total):
            shown.append((label, total))
            return 0

        def advance(self, task, n):
            pass

    monkeypatch.setattr("rich.progress.Progress", FakeProgress)
    monkeypatch.setattr(fetch_module, "_stderr_is_terminal", lambda: True)
    for total in (10, 2 << 20, None):
        with fetch_module._progress("f", total) as advance:
            advance(5)
    assert shown == [("f", 2 << 20), ("f", None)]
    monkeypatch.setattr(fetch_module, "_stderr_is_terminal", lambda: False)
    with fetch_module._progress("g", None):
        pass
    assert shown == [("f", 2 << 20), ("f", None)]


# -- retries -------------------------------------------------------------------------------------------------


def test_500_twice_then_success_is_retried(via_server, mirror_dir, caplog):
    via_server.fault(GATITOS, "status", times=2, status=500)
    with caplog.at_level(logging.WARNING, logger="lrx.core.fetch"):
        path = fetch(GATITOS_URL, sha256=GATITOS_SHA256)
    assert path.read_bytes() == (mirror_dir / GATITOS).read_bytes()
    assert via_server.hits(GATITOS) == 3
    assert sum("HTTP 500" in r.getMessage() for r in caplog.records) == 2


def test_429_is_retried(via_server):
    via_server.fault(GATITOS, "status", times=1, status=429)
    fetch(GATITOS_URL, sha256=GATITOS_SHA256)
    assert via_server.hits(GATITOS) == 2


def test_persistent_503_gives_up_after_all_attempts(via_server, lrx_cache, monkeypatch):
    monkeypatch.setenv("LRX_ATTEMPTS", "3")
    via_server.fault(GATITOS, "status", status=503)
    with pytest.raises(FetchError, match="giving up after 3 attempts: HTTP 503") as error:
        fetch(GATITOS_URL)
    assert GATITOS_URL in str(error.value)
    assert via_server.hits(GATITOS) == 3
    assert files_under(lrx_cache) == []


def test_dropped_connection_mid_body_is_retried(via_server, mirror_dir, lrx_cache, caplog):
    via_server.fault(FREEDICT, "drop", times=1)  # 280 kB: the reset comes after several chunks arrived
    with caplog.at_level(logging.WARNING, logger="lrx.core.fetch"):
        path = fetch(FREEDICT_URL)
    assert path.read_bytes() == (mirror_dir / FREEDICT).read_bytes()
    assert via_server.hits(FREEDICT) == 2
    assert any("body broken off" in r.getMessage() for r in caplog.records)
    assert len(files_under(lrx_cache)) == 2  # file + sidecar; the failed attempt's temp file is gone


def test_short_body_is_detected_and_retried(via_server, mirror_dir):
    via_server.fault(GATITOS, "short", times=2)
    path = fetch(GATITOS_URL)
    assert path.read_bytes() == (mirror_dir / GATITOS).read_bytes()
    assert via_server.hits(GATITOS) == 3


def test_persistent_short_body_fails_and_caches_nothing(via_server, lrx_cache):
    via_server.fault(GATITOS, "short")
    with pytest.raises(FetchError) as error:
        fetch(GATITOS_URL)
    message = str(error.value)
    assert GATITOS_URL in message and "giving up after 4 attempts" in message and "body broken off" in message
    assert via_server.hits(GATITOS) == 4
    assert files_under(lrx_cache) == []


def test_short_body_check_in_commit_itself(lrx_cache):
    # Independent of urllib3's own length enforcement: fewer bytes than announced is a transient error.
    dest = lrx_cache / "h" / "f.txt"
    with pytest.raises(fetch_module._Transient, match="short body: got 3 of 10 bytes"):
        fetch_module._commit("u", "u", [b"abc"], dest, expected_size=10, pin=None, max_bytes=100)
    assert files_under(lrx_cache) == []


def test_slow_response_times_out_retries_then_names_the_url(via_server, lrx_cache, monkeypatch):
    monkeypatch.setenv("LRX_TIMEOUT", "0.3")
    via_server.fault(GATITOS, "slow", delay=1.0)
    started = time.monotonic()
    with pytest.raises(FetchError, match="giving up after 4 attempts") as error:
        fetch(GATITOS_URL)
    assert GATITOS_URL in str(error.value)
    assert "timed out" in str(error.value).lower()
    assert via_server.hits(GATITOS) == 4
    assert time.monotonic() - started < 4  # four 0.3 s timeouts and tiny backoffs, not the server's 4 s
    assert files_under(lrx_cache) == []


def test_one_slow_response_then_success(via_server, mirror_dir, monkeypatch):
    monkeypatch.setenv("LRX_TIMEOUT", "0.3")
    via_server.fault(GATITOS, "slow", times=1, delay=1.0)
    assert fetch(GATITOS_URL).read_bytes() == (mirror_dir / GATITOS).read_bytes()
    assert via_server.hits(GATITOS) == 2


def test_connection_refused_is_retried_then_fails(lrx_cache, monkeypatch):
    import socket

    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("LRX_ATTEMPTS", "2")
    url = f"http://127.0.0.1:{port}/x.tsv"
    with pytest.raises(FetchError, match="giving up after 2 attempts") as error:
        fetch(url)
    assert url in str(error.value)


def test_404_fails_at_once_without_retries(via_server, lrx_cache):
    missing = GATITOS.replace("en_ee.tsv", "en_zz.tsv")
    with pytest.raises(FetchError, match="HTTP 404") as error:
        fetch(f"https://{missing}")
    assert f"https://{missing}" in str(error.value)
    assert via_server.hits(missing) == 1
    assert files_under(lrx_cache) == []


def test_403_fails_at_once(via_server):
    via_server.fault(GATITOS, "status", status=403)
    with pytest.raises(FetchError, match="HTTP 403"):
        fetch(GATITOS_URL)
    assert via_server.hits(GATITOS) == 1


# -- size and checksum limits --------------------------------------------------------------------------------


def test_content_length_above_max_bytes_is_refused_up_front(via_server, lrx_cache):
    with pytest.raises(FetchError, match=r"Content-Length \d+ is more than max_bytes=1000") as error:
        fetch(GATITOS_URL, max_bytes=1000)
    assert GATITOS_URL in str(error.value)
    assert via_server.hits(GATITOS) == 1  # not retried
    assert files_under(lrx_cache) == []


def test_max_bytes_enforced_while_streaming_without_content_length(via_server, lrx_cache):
    via_server.fault(FREEDICT, "no_length")
    with pytest.raises(FetchError, match=r"more than max_bytes=100000 bytes; aborted after") as error:
        fetch(FREEDICT_URL, max_bytes=100_000)
    assert FREEDICT_URL in str(error.value)
    assert via_server.hits(FREEDICT) == 1
    assert files_under(lrx_cache) == []


def test_sha256_mismatch_fails_and_caches_nothing(via_server, lrx_cache):
    wrong = "0" * 64
    with pytest.raises(FetchError, match="sha256 mismatch") as error:
        fetch(GATITOS_URL, sha256=wrong)
    assert GATITOS_URL in str(error.value) and GATITOS_SHA256 in str(error.value)
    assert via_server.hits(GATITOS) == 1  # a wrong pin is not a transient error
    assert files_under(lrx_cache) == []


def test_invalid_pin_is_refused(via_server):
    with pytest.raises(FetchError, match="invalid sha256 pin"):
        fetch(GATITOS_URL, sha256="abc")
    assert via_server.total_hits() == 0


def test_default_max_bytes_is_one_gib():
    assert DEFAULT_MAX_BYTES == 1 << 30


# -- the cache is verified on every read ---------------------------------------------------------------------


def test_truncated_cache_entry_is_fetched_again(via_server, mirror_dir, caplog):
    path = fetch(GATITOS_URL)
    with path.open("r+b") as f:
        f.truncate(path.stat().st_size // 2)
    with caplog.at_level(logging.WARNING, logger="lrx.core.fetch"):
        again = fetch(GATITOS_URL)
    assert again == path and path.read_bytes() == (mirror_dir / GATITOS).read_bytes()
    assert via_server.hits(GATITOS) == 2
    assert any("truncated" in r.getMessage() and GATITOS_URL in r.getMessage() for r in caplog.records)


def test_flipped_byte_in_cache_is_fetched_again(via_server, mirror_dir, caplog):
    path = fetch(GATITOS_URL)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01  # same size, different content: only the hash can tell
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger="lrx.core.fetch"):
        fetch(GATITOS_URL)
    assert path.read_bytes() == (mirror_dir / GATITOS).read_bytes()
    assert via_server.hits(GATITOS) == 2
    assert any("corrupted" in r.getMessage() for r in caplog.records)


def test_missing_sidecar_is_fetched_again(via_server):
    path = fetch(GATITOS_URL)
    path.with_name(path.name + ".lrx.json").unlink()
    fetch(GATITOS_URL)
    assert via_server.hits(GATITOS) == 2
    assert path.with_name(path.name + ".lrx.json").is_file()


def test_changed_pin_fetches_again_and_fails_on_mismatch(via_server, lrx_cache):
    path = fetch(GATITOS_URL)
    with pytest.raises(FetchError, match="sha256 mismatch"):
        fetch(GATITOS_URL, sha256="f" * 64)
    assert via_server.hits(GATITOS) == 2
    assert sha256_of(path) == GATITOS_SHA256  # the good cached copy was not replaced by anything


# -- offline -------------------------------------------------------------------------------------------------


def test_offline_serves_a_verified_cached_file_without_requests(via_server, monkeypatch):
    path = fetch(GATITOS_URL)
    monkeypatch.setenv("LRX_OFFLINE", "1")
    assert fetch(GATITOS_URL, sha256=GATITOS_SHA256) == path
    assert via_server.total_hits() == 1


def test_offline_without_cache_names_url_and_cache_path(via_server, monkeypatch, lrx_cache):
    monkeypatch.setenv("LRX_OFFLINE", "1")
    with pytest.raises(FetchError, match="is not cached and LRX_OFFLINE is set") as error:
        fetch(GATITOS_URL)
    assert GATITOS_URL in str(error.value)
    assert str(lrx_cache / GATITOS) in str(error.value)
    assert via_server.total_hits() == 0


def test_offline_with_corrupt_cache_fails_without_requests(via_server, monkeypatch):
    path = fetch(GATITOS_URL)
    path.write_bytes(b"garbage")
    monkeypatch.setenv("LRX_OFFLINE", "yes")
    with pytest.raises(FetchError, match="no usable cached copy") as error:
        fetch(GATITOS_URL)
    assert GATITOS_URL in str(error.value)
    assert via_server.total_hits() == 1


# -- mirrors and local files ---------------------------------------------------------------------------------


def test_directory_mirror_copies_into_cache_without_network(mirror_dir, lrx_cache, monkeypatch):
    monkeypatch.setenv("LRX_MIRROR", str(mirror_dir))
    path = fetch(FREEDICT_URL, sha256=sha256_of(mirror_dir / FREEDICT))
    assert path == lrx_cache / FREEDICT  # a copy in the cache, not the mirror file itself
    assert path.read_bytes() == (mirror_dir / FREEDICT).read_bytes()
    meta = json.loads(path.with_name(path.name + ".lrx.json").read_text())
    assert meta["source"] == str(mirror_dir / FREEDICT) and meta["url"] == FREEDICT_URL
    # then offline from the cache: the mirror is not needed any more
    monkeypatch.setenv("LRX_OFFLINE", "1")
    monkeypatch.setenv("LRX_MIRROR", str(lrx_cache / "nowhere"))
    assert fetch(FREEDICT_URL) == path


def test_directory_mirror_as_file_url(mirror_dir, lrx_cache, monkeypatch):
    monkeypatch.setenv("LRX_MIRROR", mirror_dir.as_uri())
    assert fetch(GATITOS_URL, sha256=GATITOS_SHA256).read_bytes() == (mirror_dir / GATITOS).read_bytes()


def test_directory_mirror_enforces_pin_and_size(mirror_dir, lrx_cache, monkeypatch):
    monkeypatch.setenv("LRX_MIRROR", str(mirror_dir))
    with pytest.raises(FetchError, match="sha256 mismatch"):
        fetch(GATITOS_URL, sha256="1" * 64)
    with pytest.raises(FetchError, match="more than max_bytes=10"):
        fetch(GATITOS_URL, max_bytes=10)
    assert files_under(lrx_cache) == []


def test_directory_mirror_missing_file(mirror_dir, monkeypatch):
    monkeypatch.setenv("LRX_MIRROR", str(mirror_dir))
    url = "https://raw.githubusercontent.com/nobody/nothing/missing.tsv"
    with pytest.raises(FetchError, match="not in the mirror") as error:
        fetch(url)
    assert url in str(error.value)


def test_http_mirror_base_with_trailing_slash(mirror_server, mirror_dir, monkeypatch):
    monkeypatch.setenv("LRX_MIRROR", mirror_server.base_url + "/")
    assert fetch(FREEDICT_URL).read_bytes() == (mirror_dir / FREEDICT).read_bytes()
    assert mirror_server.hits(FREEDICT) == 1


def test_file_url_and_plain_path_are_read_in_place(mirror_dir, lrx_cache):
    original = mirror_dir / GATITOS
    assert fetch(original.as_uri(), sha256=GATITOS_SHA256) == original
    assert fetch(str(original)) == original
    assert files_under(lrx_cache) == []  # not copied
    with pytest.raises(FetchError, match="sha256 mismatch"):
        fetch(original.as_uri(), sha256="2" * 64)
    missing = mirror_dir / "no-such-file.tsv"
    with pytest.raises(FetchError, match="no such file") as error:
        fetch(missing.as_uri())
    assert missing.as_uri() in str(error.value)


# -- the cache cannot be escaped -----------------------------------------------------------------------------

TRAVERSALS = [
    "https://example.org/../../etc/passwd",
    "https://example.org/a/../../../etc/passwd",
    "https://example.org/%2e%2e/%2e%2e/etc/passwd",
    "https://example.org/a/%2E%2E%2f%2E%2E%2fetc/passwd",
    "https://example.org/..%5c..%5cetc%5cpasswd",
    "https://../etc/passwd",
    "https://%2e%2e/etc/passwd",
]


@pytest.mark.parametrize("url", TRAVERSALS)
def test_path_traversal_cannot_leave_the_cache(url, mirror_server, tmp_path, monkeypatch):
    cache = tmp_path / "deep" / "cache"
    monkeypatch.setenv("LRX_CACHE", str(cache))
    monkeypatch.setenv("LRX_MIRROR", mirror_server.base_url)
    with pytest.raises(FetchError) as error:
        fetch(url)
    assert url in str(error.value)
    with pytest.raises(FetchError):
        cache_path_for(url, cache)
    assert mirror_server.total_hits() == 0
    assert files_under(tmp_path) == []


def test_safe_urls_map_inside_the_cache(tmp_path):
    cache = tmp_path / "c"
    assert cache_path_for("https://Example.ORG/a/./b//c.tsv", cache) == cache / "example.org/a/b/c.tsv"
    assert cache_path_for("https://example.org/a%20b/K%27iche%27.xml", cache) == cache / "example.org/a b/K'iche'.xml"
    assert cache_path_for("https://example.org/", cache) == cache / "example.org/_index"
    assert cache_path_for("https://example.org/dir/", cache) == cache / "example.org/dir/_index"
    assert cache_path_for("http://example.org:8080/x", cache) == cache / "example.org_8080/x"
    # dots inside a name are harmless; only whole `..` segments are refused
    assert cache_path_for("https://example.org/a..b/..c", cache) == cache / "example.org/a..b/..c"
    long_name = "x" * 300 + ".tsv"
    fitted = cache_path_for(f"https://example.org/{long_name}", cache)
    assert len(fitted.name) < 200 and fitted.suffix == ".tsv"


def test_query_strings_are_hashed_into_the_file_name(tmp_path):
    cache = tmp_path / "c"
    one = cache_path_for("https://example.org/data.tar.gz?version=1", cache)
    two = cache_path_for("https://example.org/data.tar.gz?version=2", cache)
    plain = cache_path_for("https://example.org/data.tar.gz", cache)
    assert len({one, two, plain}) == 3
    assert one.parent == two.parent == plain.parent == cache / "example.org"
    assert "?" not in one.name and one.name.endswith(".gz") and one.name.startswith("data.tar-q")
    assert cache_path_for("https://example.org/x.lrx.json?q", cache).name.endswith(".json")
    with pytest.raises(FetchError, match="sidecars"):
        cache_path_for("https://example.org/x.lrx.json", cache)


def test_unsupported_scheme(lrx_cache):
    with pytest.raises(FetchError, match="unsupported URL scheme 'ftp'") as error:
        fetch("ftp://example.org/x.tsv")
    assert "ftp://example.org/x.tsv" in str(error.value)


# -- settings ------------------------------------------------------------------------------------------------


def test_settings_defaults_and_parsing(tmp_path, monkeypatch):
    monkeypatch.setattr(fetch_module.platformdirs, "user_cache_dir", lambda name: str(tmp_path / name))
    defaults = FetchSettings.from_env({})
    assert defaults.cache_dir == tmp_path / "lrx"
    assert (defaults.offline, defaults.mirror, defaults.attempts) == (False, None, 4)
    assert (defaults.connect_timeout, defaults.read_timeout, defaults.backoff) == (30.0, 30.0, 1.0)

    env = {
        "LRX_CACHE": str(tmp_path / "x"),
        "LRX_OFFLINE": "true",
        "LRX_MIRROR": "https://mirror.example/base/",
        "LRX_TIMEOUT": "2,7.5",
        "LRX_ATTEMPTS": "6",
        "LRX_RETRY_BACKOFF": "0",
    }
    settings = FetchSettings.from_env(env)
    assert settings.cache_dir == tmp_path / "x" and settings.offline
    assert (settings.connect_timeout, settings.read_timeout, settings.attempts, settings.backoff) == (2, 7.5, 6, 0)
    assert settings.mirror_base_url == "https://mirror.example/base" and settings.mirror_dir is None
    assert FetchSettings.from_env({"LRX_MIRROR": str(tmp_path)}).mirror_dir == tmp_path


@pytest.mark.parametrize(
    ("name", "value"),
    [("LRX_TIMEOUT", "soon"), ("LRX_TIMEOUT", "0"), ("LRX_ATTEMPTS", "0"), ("LRX_OFFLINE", "maybe")],
)
def test_bad_settings_fail_naming_url_and_variable(name, value, monkeypatch):
    monkeypatch.setenv(name, value)
    with pytest.raises(FetchError, match=name) as error:
        fetch(GATITOS_URL)
    assert GATITOS_URL in str(error.value)


def test_environment_is_read_at_call_time(mirror_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("LRX_MIRROR", str(mirror_dir))
    monkeypatch.setenv("LRX_CACHE", str(tmp_path / "first"))
    first = fetch(GATITOS_URL)
    monkeypatch.setenv("LRX_CACHE", str(tmp_path / "second"))
    second = fetch(GATITOS_URL)
    assert first.is_relative_to(tmp_path / "first") and second.is_relative_to(tmp_path / "second")
    assert os.path.exists(first) and os.path.exists(second)


def test_local_copy_finds_what_is_on_this_machine_without_fetching(mirror_env, lrx_cache, tmp_path):
    from lrx.core.fetch import local_copy

    url = "https://raw.githubusercontent.com/google-research/url-nlp/ec1cfc8ca7c1e26a59f122f4a2a5bb94910bfa15/gatitos/en_ee.tsv"
    assert local_copy(url) == mirror_env / url.removeprefix("https://")
    assert local_copy(url.replace("en_ee", "en_nosuch")) is None
    assert not any(lrx_cache.rglob("*.tsv"))  # nothing was copied into the cache
    plain = tmp_path / "x.tsv"
    assert local_copy(str(plain)) is None
    plain.write_text("a\tb\n", encoding="utf-8")
    assert local_copy(str(plain)) == plain

"""Load all 173 GATITOS lexicons: first downloaded over HTTP from a local mirror server, then from the cache.

Prints entries/s for each phase and, as the baseline measured in the same run, the cost of merely reading
and splitting the same cached files (no cleaning, no model): the ratio says what the lexicon layer adds.

    python benchmarks/lexicon_loading.py [--mirror ../shared/data/mirror] [--repeat 3]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import tempfile
import threading
import time
from pathlib import Path

import lrx.lexicons.sources  # noqa: F401  (registers the sources)
from lrx.lexicons.sources.base import load_source

from lrx.core.fetch import fetch

ROOT = Path(__file__).resolve().parents[1]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def load_all(codes: list[str]) -> int:
    source = load_source("gatitos")
    return sum(len(source.load(code)) for code in codes)


def raw_split(codes: list[str]) -> int:
    """Baseline: read each cached file and split its lines at the tab, nothing else."""
    source = load_source("gatitos")
    count = 0
    for code in codes:
        pair, _ = source.resolve(code)
        for line in fetch(source.url(pair)).read_text(encoding="utf-8").splitlines():
            if "\t" in line:
                line.split("\t", 1)
                count += 1
    return count


def timed(fn, *args) -> tuple[int, float]:
    start = time.perf_counter()
    n = fn(*args)
    return n, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=ROOT.parent / "shared" / "data" / "mirror")
    parser.add_argument("--repeat", type=int, default=3, help="cache-phase repetitions (best is reported)")
    args = parser.parse_args()

    codes = load_source("gatitos").languages()
    server, base = serve(args.mirror)
    with tempfile.TemporaryDirectory() as cache:
        os.environ["LRX_CACHE"] = cache
        os.environ["LRX_MIRROR"] = base
        os.environ.pop("LRX_OFFLINE", None)
        n_download, t_download = timed(load_all, codes)
        server.shutdown()
        os.environ["LRX_OFFLINE"] = "1"
        cached = [timed(load_all, codes) for _ in range(args.repeat)]
        n_cache, t_cache = min(cached, key=lambda r: r[1])
        raw = [timed(raw_split, codes) for _ in range(args.repeat)]
        n_raw, t_raw = min(raw, key=lambda r: r[1])
        size = sum(p.stat().st_size for p in Path(cache).rglob("*.tsv"))

    print(f"GATITOS: {len(codes)} lexicons, {size / 1e6:.1f} MB, {n_cache:,} entries after cleaning")
    print(f"{'phase':<36}{'seconds':>10}{'entries/s':>14}")
    print(f"{'download (HTTP mirror) + parse':<36}{t_download:>10.2f}{n_download / t_download:>14,.0f}")
    print(f"{'cache (verified) + parse':<36}{t_cache:>10.2f}{n_cache / t_cache:>14,.0f}")
    print(f"{'baseline: read + split lines only':<36}{t_raw:>10.2f}{n_raw / t_raw:>14,.0f}")
    print(
        f"cache vs download: {t_download / t_cache:.1f}x faster; cache+parse costs {t_cache / t_raw:.1f}x the raw split"
    )


if __name__ == "__main__":
    main()

"""Benchmark: walk every product of a large catalog with the App's client, against a plain reference loop.

The pages are pre-rendered and served by benchmarks/page_server.py in its own process, so the figures are
the clients' own. Each walk runs in a fresh process; the reference loop is what anyone would write first:
http.client on one keep-alive connection, json.loads, `_links.next` followed until there is none. Printed:
- time to walk every product, best of --rounds, for the client, the reference and a bare requests loop, and
  the client's ratio to the reference;
- peak memory of each (Python allocations while walking, tracemalloc) at 20,000 and at --products;
- the same walk with 20 ms added to every answer, as from a remote PIM;
- products walked when every 50th answer is a 429 with Retry-After (each must come once);
- the most connections open at once to the PIM, counted by the server.

    .venv/bin/python benchmarks/walk_products.py [--products 100000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from {{ cookiecutter.package_name }}.pim_api import PimApiClient
from {{ cookiecutter.package_name }}.pim_http import build_pim_session

PROJECT = Path(__file__).resolve().parents[1]
TOKEN = "T" * 86
SMALL = 20_000
LATENCY_MS = 20
RATE_LIMIT_EVERY = 50
FIRST_PAGE = "/api/rest/v1/products-uuid?pagination_type=search_after&limit=100"


# --- the walkers, each run in a child process ----------------------------------------------------------


def walk_with_client(pim_url: str, seen: set[str] | None) -> int:
    client = PimApiClient(build_pim_session(frozenset({"127.0.0.1"})), pim_url, TOKEN)
    count = 0
    for product in client.iter_products(page_size=100):
        count += 1
        if seen is not None:
            seen.add(product["uuid"])
    return count


def walk_with_reference(pim_url: str, seen: set[str] | None) -> int:
    """The plain loop: one keep-alive http.client connection, json.loads, follow `_links.next`."""
    host = urlsplit(pim_url)
    connection = http.client.HTTPConnection(host.hostname or "", host.port, timeout=60)
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
    url: str | None = f"{pim_url}{FIRST_PAGE}"
    count = 0
    while url:
        target = urlsplit(url)
        connection.request("GET", f"{target.path}?{target.query}", headers=headers)
        page = json.loads(connection.getresponse().read())
        for product in page["_embedded"]["items"]:
            count += 1
            if seen is not None:
                seen.add(product["uuid"])
        url = page["_links"].get("next", {}).get("href")
    connection.close()
    return count


def walk_with_requests(pim_url: str, seen: set[str] | None) -> int:
    """The same loop on a bare requests.Session (the issue's starting point)."""
    session = requests.Session()
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
    url: str | None = f"{pim_url}{FIRST_PAGE}"
    count = 0
    while url:
        page = session.get(url, headers=headers, timeout=60).json()
        for product in page["_embedded"]["items"]:
            count += 1
            if seen is not None:
                seen.add(product["uuid"])
        url = page["_links"].get("next", {}).get("href")
    return count


LABELS = {"reference": "reference loop", "client": "the App's client", "requests": "bare requests"}
WALKERS: dict[str, Callable[[str, set[str] | None], int]] = {
    "client": walk_with_client,
    "reference": walk_with_reference,
    "requests": walk_with_requests,
}


def child(walker: str, pim_url: str, memory: bool, unique: bool) -> None:
    """One walk; prints a JSON line of what it measured."""
    seen: set[str] | None = set() if unique else None
    gc.collect()
    if memory:
        tracemalloc.start()
    started = time.perf_counter()
    result: dict[str, Any] = {}
    try:
        result["products"] = WALKERS[walker](pim_url, seen)
    except Exception as error:  # the reference loop has no answer to a 429: report how it ends
        result["failed"] = f"{type(error).__name__}: {error}"[:200]
    result["seconds"] = time.perf_counter() - started
    if memory:
        result["peak_bytes"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    if seen is not None:
        result["unique"] = len(seen)
    result["max_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result))


# --- the run ------------------------------------------------------------------------------------------


class Bench:
    def __init__(self, server_url: str) -> None:
        self.server_url = server_url

    def configure(self, latency_ms: int = 0, rate_limit_every: int = 0) -> None:
        query = f"latency_ms={latency_ms}&rate_limit_every={rate_limit_every}"
        requests.get(f"{self.server_url}/_bench/config?{query}", timeout=10).raise_for_status()

    def walk(self, walker: str, size: int, *, memory: bool = False, unique: bool = False) -> dict[str, Any]:
        self.stats()  # reset the server's counters
        command = [sys.executable, __file__, "--child", walker, "--url", f"{self.server_url}/{size}"]
        command += ["--memory"] * memory + ["--unique"] * unique
        output = subprocess.run(  # noqa: S603  # this script, with its own arguments
            command, cwd=PROJECT, capture_output=True, text=True, check=True
        ).stdout
        result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
        result["server"] = self.stats()
        return result

    def stats(self) -> dict[str, int]:
        answer: dict[str, int] = requests.get(f"{self.server_url}/_bench/stats", timeout=10).json()
        return answer


def start_server(sizes: list[int]) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(  # noqa: S603  # the page server beside this script
        [sys.executable, "benchmarks/page_server.py", "--sizes", ",".join(map(str, sizes))],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
    )
    url = server.stdout.readline().strip() if server.stdout else ""  # printed once every page is rendered
    if not url.startswith("http://"):
        server.kill()
        raise SystemExit("the page server did not start")
    return server, url


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--child", choices=sorted(WALKERS), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--memory", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--unique", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.url, args.memory, args.unique)
        return

    large, small = args.products, min(SMALL, args.products)
    print(f"Rendering {large:,} products in pages of 100…", flush=True)
    server, url = start_server(sorted({small, large}))
    bench = Bench(url)
    try:
        run(bench, large, small, args.rounds)
    finally:
        server.kill()
        server.wait()


def run(bench: Bench, large: int, small: int, rounds: int) -> None:
    print(f"\nWalking {large:,} products, best of {rounds} (each walk in a fresh process):")
    best: dict[str, float] = {}
    most_connections = 0
    for _ in range(rounds):
        for walker in ("reference", "client", "requests"):
            result = bench.walk(walker, large)
            if result.get("products") != large:
                raise SystemExit(f"{walker} walked {result.get('products')} products, not {large}: {result}")
            best[walker] = min(best.get(walker, float("inf")), result["seconds"])
            if walker == "client":
                most_connections = max(most_connections, result["server"]["most_open_connections"])
    for walker, label in LABELS.items():
        print(
            f"  {label:<18} {best[walker]:6.2f} s  {large / best[walker]:>9,.0f} products/s"
            f"  {best[walker] / best['reference']:.2f}x the reference"
        )

    print("\nPeak memory while walking (Python allocations, tracemalloc):")
    peaks: dict[tuple[str, int], int] = {}
    sizes = sorted({small, large})
    for size in sizes:
        for walker in ("reference", "client"):
            peaks[(walker, size)] = bench.walk(walker, size, memory=True)["peak_bytes"]
    for walker, label in list(LABELS.items())[:2]:
        figures = "  ".join(f"{size:>7,}: {peaks[(walker, size)] / 1e6:5.2f} MB" for size in sizes)
        print(f"  {label:<18} {figures}")
    ratio = peaks[("client", large)] / peaks[("reference", large)]
    growth = peaks[("client", large)] / peaks[("client", small)]
    print(f"  the client's peak is {ratio:.2f}x the reference's; from {small:,} to {large:,}: {growth:.3f}x")

    print(f"\nWith {LATENCY_MS} ms added to every answer, {small:,} products:")
    bench.configure(latency_ms=LATENCY_MS)
    slow = {walker: bench.walk(walker, small) for walker in ("reference", "client")}
    bench.configure()
    for walker, label in list(LABELS.items())[:2]:
        print(
            f"  {label:<18} {slow[walker]['seconds']:6.2f} s"
            f"  {slow[walker]['seconds'] / slow['reference']['seconds']:.2f}x the reference"
        )

    print(f"\nEvery {RATE_LIMIT_EVERY}th answer a 429 with Retry-After: 1, {small:,} products:")
    bench.configure(rate_limit_every=RATE_LIMIT_EVERY)
    limited = {walker: bench.walk(walker, small, unique=True) for walker in ("reference", "client")}
    bench.configure()
    for walker, label in list(LABELS.items())[:2]:
        result = limited[walker]
        walked = result.get("products", result.get("unique", 0))
        lost = small - result.get("unique", 0)
        ending = f"stopped: {result['failed']}" if "failed" in result else "finished"
        print(
            f"  {label:<18} {walked:>7,} products, {lost:,} lost, {result['server']['rate_limited']} x 429,"
            f" {result['seconds']:.1f} s, {ending}"
        )
        most_connections = max(most_connections, result["server"]["most_open_connections"])
    most_connections = max(most_connections, slow["client"]["server"]["most_open_connections"])
    print(f"\nMost connections open at once to the PIM during the client's walks: {most_connections}")


if __name__ == "__main__":
    main()

"""The abuse benchmark's clients: one raw HTTP request from a stated client address, requests at a
steady rate, and the watchers of the serve process (a health prober, its memory)."""

from __future__ import annotations

import http.client
import json
import logging
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fairgift.bench.harness import ServeProcess

log = logging.getLogger("fairgift.bench")

# a probe that gets no answer within PROBE_TIMEOUT is a failure ("stopped answering"); slower than
# PROBE_SLOW is counted apart (the machine is shared: a loaded one answers late, not never)
PROBE_EVERY, PROBE_TIMEOUT, PROBE_SLOW, RSS_EVERY = 0.5, 5.0, 1.0, 0.5


# ---------------------------------------------------------------------------------- HTTP


def send(
    base: str,
    method: str,
    path: str,
    body: bytes | None = None,
    *,
    client: str,
    chunked=False,
    content_type="application/json",
    timeout=10.0,
):
    """(status, body) of one request from `client` (its X-Forwarded-For); the status is the
    exception's name when no answer came. A body the service refuses while it is being sent is
    cut short and the answer read anyway (the refusal is what is measured)."""
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        conn.putrequest(method, path)
        conn.putheader("X-Forwarded-For", client)
        if body is not None:
            conn.putheader("Content-Type", content_type)
            if chunked:
                conn.putheader("Transfer-Encoding", "chunked")
            else:
                conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        if body is not None:
            try:
                for i in range(0, len(body), 65_536):
                    piece = body[i : i + 65_536]
                    conn.send(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                if chunked:
                    conn.send(b"0\r\n\r\n")
            except OSError:
                pass  # refused and closed mid-body: the answer is already on its way
        res = conn.getresponse()
        return res.status, res.read()
    except (OSError, http.client.HTTPException) as err:
        return type(err).__name__, b""
    finally:
        conn.close()


def send_json(base, method, path, value=None, *, client, timeout=10.0):
    status, raw = send(
        base,
        method,
        path,
        None if value is None else json.dumps(value).encode(),
        client=client,
        timeout=timeout,
    )
    try:
        return status, json.loads(raw or b"null")
    except ValueError:
        return status, None


def paced(rate: float, seconds: float, fn, stop: threading.Event, workers: int = 4) -> threading.Thread:
    """A thread calling `fn(k)` at `rate` per second for `seconds` (on a small pool, so one slow
    request does not delay the next)."""

    def run():
        started = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            k = 0
            while k < int(rate * seconds) and not stop.is_set():
                wait = started + k / rate - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                pool.submit(_logged, fn, k)
                k += 1

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _logged(fn, k):
    try:
        fn(k)
    except Exception:  # noqa: BLE001 - a client-side failure is reported, not fatal
        log.exception("abuse bench: a client failed")


def client_ip(group: int, n: int) -> str:
    return f"10.{group}.{n // 250}.{n % 250 + 1}"


# ---------------------------------------------------------------------------------- watchers


def watch(serve: ServeProcess, stop: threading.Event, probes: list, rss: list) -> list[threading.Thread]:
    """The prober (`GET /api/health`) and the memory sampler (VmRSS of the serve process)."""

    def probe():
        while not stop.is_set():
            t0 = time.perf_counter()
            status, _ = send(serve.url, "GET", "/api/health", client="10.250.0.1", timeout=PROBE_TIMEOUT)
            probes.append((status, time.perf_counter() - t0, time.time()))
            stop.wait(max(0.0, PROBE_EVERY - (time.perf_counter() - t0)))

    def sample():
        path = Path(f"/proc/{serve.proc.pid}/status")
        while not stop.is_set():
            try:
                for line in path.read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        rss.append(int(line.split()[1]))  # kB
            except OSError:
                rss.append(0)  # the process is gone
            stop.wait(RSS_EVERY)

    threads = [threading.Thread(target=probe, daemon=True), threading.Thread(target=sample, daemon=True)]
    for t in threads:
        t.start()
    return threads

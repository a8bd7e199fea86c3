"""Run the service: uvicorn serving `create_app(service)`, the relayer's batcher thread, and (by
default) the index bot, all in one process.

Signals: with the index bot, Silverback's runner owns SIGINT/SIGTERM in the main thread and
uvicorn serves from a thread; without it, uvicorn runs in the main thread and owns them. Either
way one Ctrl-C (or `kill`) stops everything: the bot, then the web server, then the batcher (which
finishes the transaction it is on; a `kill -9` at any point is recovered by the next start).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading

import uvicorn

from fairgift.index.follow import runner_for
from fairgift.web.app import create_app
from fairgift.web.views.creators import page_urls

log = logging.getLogger("fairgift.serve")
STREAMS_GRACE = 2  # seconds


class _Server(uvicorn.Server):
    """uvicorn's server, minus re-raising the signal after shutdown (uvicorn does, so a SIGTERM
    would kill the process before the batcher is stopped and the lease released)."""

    @contextlib.contextmanager
    def capture_signals(self):
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        original = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)


def serve(service, host: str = "127.0.0.1", port: int = 8000, bot=None, access_log: bool = False, echo=print):
    """Serve until interrupted. `bot`: a Silverback bot to run in this process (the index follower),
    or None."""
    app = create_app(service)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        access_log=access_log,
        log_level="warning",
        lifespan="off",
        # uvicorn would take X-Forwarded-For from any local peer as the client; the guard alone
        # decides whom to believe (`--trusted-proxies`)
        proxy_headers=False,
        # the overlay's event streams never end by themselves: on shutdown they get this long,
        # then are cut (the browser reconnects to the next process with its Last-Event-ID)
        timeout_graceful_shutdown=STREAMS_GRACE,
    )
    server = _Server(config)
    echo(web_stack(config))
    service.start()
    echo(f"FairGift service on http://{host}:{port} (chain {service.chain_id}, jar {service.fg.jar.address})")
    for line in page_urls(service, f"http://{host}:{port}"):
        echo(line)
    echo(f"creators' studio (connect the creator's wallet): http://{host}:{port}/studio")
    if service.relayer is not None:
        cfg = service.relayer.config
        echo(
            f"relaying tips from {service.relayer.sender}: a batch at {cfg.batch_size} tips or after "
            f"{cfg.batch_wait:g} s; database {service.db}"
        )
    try:
        if bot is None:
            server.run()
        else:
            _serve_with_bot(server, bot)
    finally:
        service.stop()
        echo("FairGift service stopped")


def web_stack(config: uvicorn.Config) -> str:
    """Which HTTP parser and event loop uvicorn picked ("auto": httptools and uvloop when
    installed, which the project pins, else h11 and asyncio at several times the CPU per request)."""
    if not config.loaded:
        config.load()
    parser = {"HttpToolsProtocol": "httptools", "H11Protocol": "h11"}.get(
        config.http_protocol_class.__name__, config.http_protocol_class.__name__
    )
    factory = config.get_loop_factory()
    loop = (getattr(factory, "__module__", None) or "asyncio").split(".")[0] if factory else "asyncio"
    return f"web server: uvicorn with {parser} and {'uvloop' if loop == 'uvloop' else 'asyncio'}"


def _serve_with_bot(server: uvicorn.Server, bot) -> None:
    import asyncio

    runner = runner_for(bot)
    # Silverback installs its SIGINT/SIGTERM handlers only once its startup is over; a signal
    # that comes earlier is caught here and handed to the runner as soon as it can take it.
    requested = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: requested.set())

    async def run():
        async def hand_over():
            while not (requested.is_set() and getattr(runner, "shutdown_event", None) is not None):
                await asyncio.sleep(0.05)
            runner.shutdown_event.set()

        watcher = asyncio.create_task(hand_over())
        try:
            await runner.run()
        finally:
            watcher.cancel()

    web = threading.Thread(target=server.run, name="fairgift-web", daemon=True)
    web.start()
    try:
        asyncio.run(run())
    finally:
        server.should_exit = True
        web.join(10)

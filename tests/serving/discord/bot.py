"""The gateway bot on a thread of its own, the way `mimical discord run` runs it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from serving.channels.discord.gateway import PersonaBot, build_bot
from serving.chat import ChatEngine
from serving.config import Config

START_S = 20.0


@contextmanager
def running_bot(config: Config, engine: ChatEngine) -> Iterator[PersonaBot]:
    """Start the bot on its own event loop; yield it once READY; close it after."""
    bot = build_bot(config, engine)
    started = threading.Event()
    loops: list[asyncio.AbstractEventLoop] = []
    stops: list[asyncio.Event] = []
    failures: list[BaseException] = []

    async def main() -> None:
        stop = asyncio.Event()
        loops.append(asyncio.get_running_loop())
        stops.append(stop)
        started.set()
        running = asyncio.create_task(bot.start(config.discord_bot_token or ""))
        await asyncio.wait(
            [running, asyncio.create_task(stop.wait())],
            return_when=asyncio.FIRST_COMPLETED,
        )
        # Closed inside the loop, so every connection is closed before it ends.
        await bot.close()
        await running

    def run() -> None:
        try:
            asyncio.run(main())
        except BaseException as error:  # reported by the test, not the thread
            failures.append(error)
            started.set()

    thread = threading.Thread(target=run, name="discord-bot", daemon=True)
    thread.start()
    assert started.wait(START_S) and loops, failures
    loop = loops[0]
    ready = asyncio.run_coroutine_threadsafe(bot.wait_until_ready(), loop)
    ready.result(START_S)
    try:
        yield bot
    finally:
        loop.call_soon_threadsafe(stops[0].set)
        thread.join(START_S)
        bot.handler.close()
        assert not failures, failures

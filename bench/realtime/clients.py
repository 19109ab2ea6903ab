"""The realtime bench's load generator: many WebSocket clients in one asyncio process, each
authenticated by its first message and subscribed to one channel, recording when each message
arrives (wall clock: the publisher runs in another process on the same machine).

    python clients.py URL TOKEN CHANNEL COUNT OUT.json

Prints "READY <n>" once every client is subscribed, answers the server's pings, and on "STOP"
(a line on stdin) closes its clients and writes, per message seen (by ``seconds_added``, which
the bench makes unique per write), the arrival time at each client.
"""

import asyncio
import json
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

OPEN_AT_ONCE = 50


async def main(url: str, token: str, channel: str, count: int) -> dict:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, count + 256)), hard))
    arrivals: dict[int, list[float]] = defaultdict(list)
    problems: dict[str, int] = defaultdict(int)
    gate = asyncio.Semaphore(OPEN_AT_ONCE)
    subscribed = 0
    all_subscribed = asyncio.Event()

    async def client() -> None:
        nonlocal subscribed
        try:
            async with gate:
                ws = await connect(url, proxy=None, ping_interval=None, open_timeout=60)
                await ws.send(json.dumps({"type": "auth", "token": token}))
                await _expect(ws, "authenticated")
                await ws.send(json.dumps({"type": "subscribe", "channel": channel}))
                await _expect(ws, "subscribed")
            subscribed += 1
            settled()
            async with ws:
                await _listen(ws, arrivals, problems)
        except Exception as exc:  # counted and reported: one client failing is a finding
            problems[f"{type(exc).__name__}: {str(exc)[:120]}"] += 1
            settled()

    def settled() -> None:
        """Every client is subscribed or has failed (failures are reported, not retried)."""
        if subscribed + sum(problems.values()) >= count:
            all_subscribed.set()

    started = time.monotonic()
    tasks = [asyncio.create_task(client()) for _ in range(count)]
    await all_subscribed.wait()
    print(f"READY {subscribed} {time.monotonic() - started:.1f} {dict(problems)}", flush=True)
    await asyncio.to_thread(sys.stdin.readline)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "clients": count,
        "subscribed": subscribed,
        "problems": dict(problems),
        "arrivals": {str(k): v for k, v in arrivals.items()},
    }


async def _expect(ws: ClientConnection, type_: str) -> None:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), 60))
        if message["type"] == type_:
            return
        if message["type"] != "ping":
            raise RuntimeError(f"expected {type_}, got {message}")


async def _listen(
    ws: ClientConnection, arrivals: dict[int, list[float]], problems: dict[str, int]
) -> None:
    async for raw in ws:
        arrived = time.time()
        message = json.loads(raw)
        if message["type"] == "message":
            arrivals[message["data"]["payload"]["seconds_added"]].append(arrived)
        elif message["type"] == "ping":
            await ws.send('{"type":"pong"}')
        else:
            problems[f"unexpected {message['type']}"] += 1
    problems[f"closed by the server: {ws.close_code} {ws.close_reason}"] += 1


if __name__ == "__main__":
    url, token, channel, count, out = sys.argv[1:6]
    Path(out).write_text(json.dumps(asyncio.run(main(url, token, channel, int(count)))))

"""A small asyncio HTTP/1.1 load generator (standard library only), run in its own process by bench/exam_day.py:
`python bench/_loadgen.py PLAN.json OUT.json`.

Two modes:
- open loop ("open"): every request has its own send time (seconds from the start). It is sent then whatever
  happened to earlier ones, on an idle keep-alive connection or a new one (up to `max_connections`; beyond that
  it waits for one). Latency is measured from the *scheduled* time, so a server that falls behind shows it
  (no coordinated omission).
- closed loop ("closed"): `concurrency` connections each send their next request as soon as the previous answer
  came back, for `seconds`: the throughput ceiling.

Like a browser, a request is sent once more on a new connection when a reused keep-alive connection turns out
to be closed before any answer arrived; those are counted as `retries`.

Plan: {"host", "port", "mode", "max_connections" | "concurrency", "seconds", "timeout",
       "requests": [[at, label, method, path, token or null, body or null], ...]}  (closed loop: `at` ignored,
       the list is cycled).
Result: {"records": [[label, index in the plan, latency_ms, status], ...], "bodies": {index: body} for requests with label
         ending in "!", "retries", "elapsed", "cpu_seconds"}.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from pathlib import Path


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer, self.used = reader, writer, 0

    def close(self) -> None:
        self.writer.close()


class Client:
    def __init__(self, host: str, port: int, timeout: float, limit: int):
        self.host, self.port, self.timeout = host, port, timeout
        self.idle: list[Connection] = []
        self.slots = asyncio.Semaphore(limit)
        self.retries = 0

    async def _connect(self) -> Connection:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        return Connection(reader, writer)

    @staticmethod
    def _encode(method: str, path: str, token: str | None, body: object | None) -> bytes:
        payload = b"" if body is None else json.dumps(body).encode()
        head = [f"{method} {path} HTTP/1.1", "Host: bench", "Connection: keep-alive",
                f"Content-Length: {len(payload)}"]
        if body is not None:
            head.append("Content-Type: application/json")
        if token:
            head.append(f"Authorization: Bearer {token}")
        return ("\r\n".join(head) + "\r\n\r\n").encode() + payload

    @staticmethod
    async def _read(conn: Connection) -> tuple[int, bytes, bool]:
        status_line = await conn.reader.readline()
        if not status_line:
            raise ConnectionResetError("closed before the status line")
        status = int(status_line.split()[1])
        length, close = 0, False
        while True:
            line = await conn.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value.strip())
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        body = await conn.reader.readexactly(length) if length else b""
        return status, body, close

    async def request(self, method: str, path: str, token: str | None, body: object | None) -> tuple[int, bytes]:
        data = self._encode(method, path, token, body)
        async with self.slots:
            for attempt in range(2):
                conn = self.idle.pop() if self.idle else await self._connect()
                reused = conn.used > 0
                try:
                    conn.writer.write(data)
                    await conn.writer.drain()
                    status, payload, close = await asyncio.wait_for(self._read(conn), self.timeout)
                except (ConnectionError, asyncio.IncompleteReadError) as exc:
                    conn.close()
                    if reused and attempt == 0:
                        self.retries += 1
                        continue
                    raise exc from None
                except BaseException:
                    conn.close()
                    raise
                conn.used += 1
                if close:
                    conn.close()
                else:
                    self.idle.append(conn)
                return status, payload
        raise RuntimeError("unreachable")


async def _one(client: Client, index: int, item: list, started: float, records: list, bodies: dict,
               scheduled: float) -> None:
    _at, label, method, path, token, body = item
    try:
        status, payload = await client.request(method, path, token, body)
        if label.endswith("!"):
            bodies[index] = payload.decode()
    except Exception as exc:  # noqa: BLE001 - counted as an error by its exception name
        status = type(exc).__name__
    records.append([label.rstrip("!"), index, (time.perf_counter() - scheduled) * 1000, status])


async def open_loop(plan: dict) -> dict:
    client = Client(plan["host"], plan["port"], plan.get("timeout", 30), plan.get("max_connections", 256))
    requests = sorted(enumerate(plan["requests"]), key=lambda pair: pair[1][0])
    records: list = []
    bodies: dict = {}
    tasks = []
    started = time.perf_counter()
    for index, item in requests:
        scheduled = started + item[0]
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(_one(client, index, item, started, records, bodies, scheduled)))
    await asyncio.gather(*tasks)
    return {"records": records, "bodies": bodies, "retries": client.retries,
            "elapsed": time.perf_counter() - started}


async def closed_loop(plan: dict) -> dict:
    concurrency = plan["concurrency"]
    client = Client(plan["host"], plan["port"], plan.get("timeout", 30), concurrency)
    requests = plan["requests"]
    records: list = []
    bodies: dict = {}
    started = time.perf_counter()
    stop = started + plan["seconds"]

    async def worker(offset: int) -> None:
        index = offset
        while time.perf_counter() < stop:
            await _one(client, index % len(requests), requests[index % len(requests)], started, records, bodies,
                       time.perf_counter())
            index += concurrency

    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return {"records": records, "bodies": bodies, "retries": client.retries,
            "elapsed": time.perf_counter() - started}


def main(plan_path: str, out_path: str) -> None:
    plan = json.loads(Path(plan_path).read_text())
    runner = open_loop if plan["mode"] == "open" else closed_loop
    result = asyncio.run(runner(plan))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    Path(out_path).write_text(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

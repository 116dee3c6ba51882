"""The Faust ceiling: a Faust agent that only decodes each message, in batches as the worker takes
them, and does nothing else. Run by ``bench.pipeline`` as its own process:

    python -m bench.faust_noop --bootstrap HOST:PORT --topic NAME --group NAME --expect N --result FILE

Writes one JSON line to FILE (``events_per_s`` from the first batch to the last; Faust takes over
standard output) and exits.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any, cast

import faust

from events import decode


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__)
    for name in ("--bootstrap", "--topic", "--group"):
        arguments.add_argument(name, required=True)
    arguments.add_argument("--expect", type=int, required=True)
    arguments.add_argument("--result", type=Path, required=True)
    arguments.add_argument("--batch", type=int, default=200)
    arguments.add_argument("--within", type=float, default=0.05)
    arguments.add_argument("--buffer", type=int, default=4096, help="stream_buffer_maxsize, as the worker's")
    args = arguments.parse_args()
    app = faust.App(
        args.group,
        broker=f"kafka://{args.bootstrap}",
        store="memory://",
        web_enabled=False,
        topic_allow_declare=False,
        topic_disable_leader=True,
        consumer_auto_offset_reset="earliest",
        broker_commit_every=1000,
        broker_commit_interval=1.0,
        stream_wait_empty=False,
        stream_buffer_maxsize=args.buffer,
        datadir=str(args.result.with_suffix(".faust")),  # beside the result, not in the working folder
    )
    topic = app.topic(args.topic, key_serializer="raw", value_serializer="raw")
    counted = {"events": 0, "timed": 0}
    started = [0.0]

    @app.agent(topic)
    async def noop(stream: faust.StreamT[Any]) -> None:
        async for batch in cast(Any, stream).take_events(args.batch, within=args.within):
            for event in batch:
                decode(event.message.value)
            now = time.perf_counter()
            if not counted["events"]:
                started[0] = now  # the clock starts once the first batch is done, as for the worker
            else:
                counted["timed"] += len(batch)
            counted["events"] += len(batch)
            if counted["events"] >= args.expect:
                rate = counted["timed"] / max(now - started[0], 1e-9)
                result = {"events": counted["events"], "events_per_s": round(rate, 1)}
                args.result.write_text(json.dumps(result))
                os._exit(0)

    from faust.worker import Worker

    Worker(app, loglevel="warning", quiet=True).execute_from_commandline()


if __name__ == "__main__":
    main()

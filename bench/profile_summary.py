"""Where a worker's time went: a py-spy profile (``--format raw``: collapsed stacks) in a few lines.

    python -m bench.profile_summary FILE [--top 15]

Prints, per thread kind, the share of samples that include each of the pipeline's main steps
(inclusive), and the functions most often on top of the stack (self time).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

STEPS = {
    "handling events (Processor.process_batch)": "process_batch (",
    "  seat decisions (allocate_seat)": "allocate_seat (",
    "  planning deliveries (plan_deliveries)": "plan_deliveries (",
    "  loading a batch's rows at once (prefetch)": "by_ids (",
    "  writing: flush and commit": "UnitOfWork.commit (",
    "sending (DeliveryRunner.send_due)": "send_due (",
    "  claiming": "_claim (",
    "  rendering templates": "render (",
    "  building the mail": "build_email (",
    "  SMTP (mostly waiting for the server)": "smtplib.py",
    "Faust and aiokafka (event loop)": "run_forever (",
    "timers (in the worker, or the senders' process)": "run_safely (",
}
FRAME = re.compile(r"^(?P<name>[^ ]+) \((?P<file>[^:]+)(?::\d+)?\)$")


def read(path: Path) -> Counter[tuple[str, ...]]:
    stacks: Counter[tuple[str, ...]] = Counter()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks[tuple(stack.split(";"))] += int(count)
    return stacks


def summary(stacks: Counter[tuple[str, ...]], top: int, rate: float = 50.0) -> list[str]:
    total = sum(stacks.values()) or 1
    lines = [f"{total} samples of busy threads at {rate:.0f} a second: {total / rate:.1f} thread-seconds"]
    for label, needle in STEPS.items():
        hits = sum(n for stack, n in stacks.items() if any(needle in frame for frame in stack))
        lines.append(f"{hits / total:6.1%} {hits / rate:7.1f} s  {label}")
    own: Counter[str] = Counter()
    for stack, n in stacks.items():
        match = FRAME.match(stack[-1].strip())
        own[f"{match['name']} ({Path(match['file']).name})" if match else stack[-1]] += n
    lines.append("on top of the stack:")
    lines.extend(f"{n / total:6.1%}  {name}" for name, n in own.most_common(top))
    return lines


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__)
    arguments.add_argument("file", type=Path)
    arguments.add_argument("--top", type=int, default=15)
    arguments.add_argument("--rate", type=float, default=50.0, help="samples a second py-spy took")
    args = arguments.parse_args()
    print("\n".join(summary(read(args.file), args.top, args.rate)))


if __name__ == "__main__":
    main()

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
    "  committing the handlers' transaction": "_batch_in_one_transaction (",
    "sending (DeliveryRunner.send_due)": "send_due (",
    "  claiming": "_claim (",
    "  rendering templates": "render (",
    "  SMTP": "smtplib.py",
    "  recording results": "_settle (",
    "Faust and aiokafka (event loop)": "run_forever (",
    "timers": "run_safely (",
}
FRAME = re.compile(r"^(?P<name>[^ ]+) \((?P<file>[^:]+)(?::\d+)?\)$")


def read(path: Path) -> Counter[tuple[str, ...]]:
    stacks: Counter[tuple[str, ...]] = Counter()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks[tuple(stack.split(";"))] += int(count)
    return stacks


def summary(stacks: Counter[tuple[str, ...]], top: int) -> list[str]:
    total = sum(stacks.values()) or 1
    lines = [f"{total} samples (threads that were not idle)"]
    for label, needle in STEPS.items():
        hits = sum(n for stack, n in stacks.items() if any(needle in frame for frame in stack))
        lines.append(f"{hits / total:6.1%}  {label}")
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
    args = arguments.parse_args()
    print("\n".join(summary(read(args.file), args.top)))


if __name__ == "__main__":
    main()

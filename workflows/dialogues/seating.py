"""Seat allocation, first come first served: serialised per dialogue by the partition key."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Allocation(StrEnum):
    """How a dialogue's seats are given."""

    FCFS = "fcfs"  # first come, first served; then the waiting list
    LOTTERY = "lottery"  # drawn at the close of registration, quotas first


class RegistrationStatus(StrEnum):
    REQUESTED = "requested"  # received; decided by the worker (or waiting for the lottery)
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"  # full and no waiting list
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


HOLDS_SEAT = (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED, RegistrationStatus.NO_SHOW)


@dataclass(frozen=True)
class SeatDecision:
    status: RegistrationStatus
    waitlist_position: int | None = None


def decide_seat(capacity: int, confirmed: int, waitlist_enabled: bool, last_position: int) -> SeatDecision:
    """Confirm while seats are left; then the waiting list in arrival order; else rejected."""
    if confirmed < capacity:
        return SeatDecision(RegistrationStatus.CONFIRMED)
    if waitlist_enabled:
        return SeatDecision(RegistrationStatus.WAITLISTED, last_position + 1)
    return SeatDecision(RegistrationStatus.REJECTED)


def crossed_thresholds(
    capacity: int, before: int, after: int, thresholds: tuple[int, ...] = (80, 100)
) -> list[int]:
    """Capacity alerts: the percentage passed when confirmations went from ``before`` to ``after``.
    Only the highest one: a 3-seat dialogue going from 2 to 3 is full, not also "80 % (3 of 3)"."""
    passed = [t for t in thresholds if before * 100 < t * capacity <= after * 100]
    return passed[-1:]

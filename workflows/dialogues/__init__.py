"""Dialogue events: seat allocation, lottery, schedules, logistics (pure)."""

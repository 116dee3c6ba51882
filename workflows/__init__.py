"""Pure workflow decisions per stream (incidents, dialogues, self-checks, support offers).

Plain values in, plain values out: no I/O here, and nothing from ``services``.
"""

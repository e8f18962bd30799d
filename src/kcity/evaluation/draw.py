"""The panel draw: a pure function so anyone holding the seed can reproduce it.

No database, no clock: the same pool, size, seed and conflicts always give the same panel.
"""

import random
from collections.abc import Iterable

GENERAL = ""  # the bucket of experts who listed no field


def draw_panel(pool: Iterable[tuple[object, Iterable[str]]], n: int, seed: int,
               conflicts: Iterable[object] = ()) -> list:
    """Draw up to `n` expert keys from `pool` ((key, fields) pairs), never a key in
    `conflicts`, balancing fields of expertise.

    The fields are visited round-robin in a seeded order; each field yields the next expert of
    its own seeded shuffle who is not yet drawn, so no field fills the panel while another
    field has experts left. An expert listing several fields can be drawn through any of them.
    Fewer than `n` eligible experts give a shorter list (the caller refuses it).
    """
    conflicted = set(conflicts)
    eligible = sorted(
        ((key, tuple(sorted(set(fields)))) for key, fields in pool if key not in conflicted),
        key=lambda item: str(item[0]),
    )
    rng = random.Random(seed)
    buckets: dict[str, list] = {}
    for key, fields in eligible:
        for field in fields or (GENERAL,):
            buckets.setdefault(field, []).append(key)
    order = sorted(buckets)
    rng.shuffle(order)
    for field in order:
        rng.shuffle(buckets[field])
    drawn: list = []
    while len(drawn) < n:
        progress = False
        for field in order:
            if len(drawn) >= n:
                break
            bucket = buckets[field]
            while bucket and bucket[0] in drawn:
                bucket.pop(0)
            if bucket:
                drawn.append(bucket.pop(0))
                progress = True
        if not progress:
            break
    return drawn

"""Objects loaded at start-up live as long as the process: keep them out of the collector's full scans.

A serve process holds a few hundred thousand long-lived objects (botbuilder, SQLAlchemy's mappers, the
bundled data, lexica). CPython's full (generation 2) collection walks all of them: measured with
`bench broadcast` on this 2-core machine under load, 5 full collections of up to 850 ms each in a
30-second broadcast — the event loop stood still meanwhile, answers waited, and with every request
counted until its answer (bot/delivery/engine.py Window) each stall cost the broadcast its length in
sending. `gc.freeze()` moves everything alive at that moment to the permanent generation, which the
collector never walks; what is made later is collected as before.
"""

from __future__ import annotations

import gc


def freeze() -> None:
    """Call once everything loaded at start-up is loaded (again later: freezes what has been added)."""
    gc.collect()  # first drop start-up garbage, so it is not kept for ever
    gc.freeze()

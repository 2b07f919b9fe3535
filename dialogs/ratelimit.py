"""A per-user rate limit on expensive actions, so one user (or a script with their token) cannot
slow the bot down for everyone.

Expensive: free text that reaches the capabilities (a Q&A search over the agreement, command
parsing) and card actions that fan out or build large results (open, confirm, send, export,
broadcast, preview). Cheap and important actions — answering a consultation, voting, RSVPs,
help, language — are never limited. A token bucket per user (tenant + AAD object id):
RATE_LIMIT_BURST (30) actions at once, refilled at
RATE_LIMIT_PER_MINUTE (30). The state lives in the
process (each instance limits on its own), which is enough to blunt floods; the limit is
about load, not about security boundaries (those are the role checks).
"""

from __future__ import annotations

import logging
import math
import os
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable

from dialogs.i18n import t
from dialogs.services import Services
from dialogs.turn import Reply
from dialogs.viewer import Viewer

log = logging.getLogger("samarbeidsbot.ratelimit")
EXPENSIVE_VERBS = frozenset({"open", "confirm", "send", "export", "broadcast", "preview"})
MAX_TRACKED_USERS = 20_000


def is_expensive(action: str | None) -> bool:
    """None stands for free text that reaches the capability handlers."""
    return action is None or action.rsplit(".", 1)[-1] in EXPENSIVE_VERBS


class RateLimiter:
    def __init__(self, *, burst: int = 20, per_minute: float = 20.0,
                 clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.configure(burst=burst, per_minute=per_minute)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)
        self.limited = 0

    def configure(self, *, burst: int, per_minute: float) -> None:
        """burst <= 0 turns the limit off (benchmarks that measure raw turn cost)."""
        self.burst, self.per_second = burst, per_minute / 60.0

    def reset(self) -> None:
        self._buckets.clear()

    def take(self, key: str) -> float:
        """Spend one token for `key`: 0.0 if allowed, else the seconds until one is available."""
        if self.burst <= 0:
            return 0.0
        now = self.clock()
        tokens, at = self._buckets.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) * self.per_second)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            wait = 0.0
        else:
            self._buckets[key] = (tokens, now)
            wait = (1.0 - tokens) / self.per_second if self.per_second > 0 else math.inf
        while len(self._buckets) > MAX_TRACKED_USERS:
            self._buckets.popitem(last=False)  # the least recently active user
        return wait


def _from_env() -> RateLimiter:
    try:
        burst = int(os.environ.get("RATE_LIMIT_BURST", "30"))
        per_minute = float(os.environ.get("RATE_LIMIT_PER_MINUTE", "30"))
    except ValueError:
        burst, per_minute = 30, 30.0
    return RateLimiter(burst=burst, per_minute=per_minute)


# One limiter per running bot (keyed by its database), so that two bots in one process
# (tests, benchmarks) do not share buckets.
_LIMITERS: weakref.WeakKeyDictionary[object, RateLimiter] = weakref.WeakKeyDictionary()


def limiter_for(services: Services) -> RateLimiter:
    limiter = _LIMITERS.get(services.db)
    if limiter is None:
        limiter = _LIMITERS[services.db] = _from_env()
    return limiter


def check(services: Services, viewer: Viewer, action: str | None) -> list[Reply] | None:
    """The router's hook: None to go on, or the friendly refusal when this user is over the limit."""
    if not is_expensive(action):
        return None
    limiter = limiter_for(services)
    key = viewer.sender.actor if viewer.sender.aad_object_id else f"anon:{viewer.sender.tenant_id}"
    wait = limiter.take(key)
    if wait <= 0:
        return None
    limiter.limited += 1
    log.info("rate limit: an expensive action was refused (%s)", "text" if action is None else "card")
    seconds = max(1, math.ceil(wait)) if math.isfinite(wait) else 60
    return [Reply(text=t("security.rate_limited", viewer.lang, seconds=seconds))]

"""Bot Framework signing keys, fetched off the event loop and with a timeout.

botbuilder 4.17 (`_OpenIdMetadata` in jwt_token_extractor.py) refreshes the OpenID signing keys
with blocking `requests.get` calls and no timeout, inside the coroutine that validates a token:
once a day (and on an unknown key id) the whole bot stops while the keys are fetched, for as
long as the fetch takes, and every request waiting at that moment fetches them again, one after
the other. Here the fetch runs in a worker thread with a timeout, and requests that arrive while
one fetch is running wait for it instead of fetching again. Validation itself is botbuilder's.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable
from datetime import datetime

import requests
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor, _OpenIdMetadata

FETCH_TIMEOUT_SECONDS = 10.0


class ThreadedOpenIdMetadata(_OpenIdMetadata):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        self._lock = threading.Lock()

    async def _refresh(self) -> None:
        await asyncio.to_thread(self._refresh_in_thread, self.last_updated)

    def _refresh_in_thread(self, seen: datetime) -> None:
        with self._lock:
            if self.last_updated != seen:
                return  # refreshed by another request while this one waited
            response = requests.get(self.url, timeout=FETCH_TIMEOUT_SECONDS)
            response.raise_for_status()
            keys = requests.get(response.json()["jwks_uri"], timeout=FETCH_TIMEOUT_SECONDS)
            keys.raise_for_status()
            self.keys = keys.json()["keys"]
            self.last_updated = datetime.now()


def install(urls: Iterable[str]) -> None:
    """Use the threaded fetch for these metadata URLs (botbuilder's own cache, keyed by URL)."""
    for url in urls:
        if url and not isinstance(JwtTokenExtractor.metadataCache.get(url), ThreadedOpenIdMetadata):
            JwtTokenExtractor.metadataCache[url] = ThreadedOpenIdMetadata(url)

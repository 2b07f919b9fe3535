"""Which report card shows the progress of an outbox batch (the delivery engine asks while it works).

Kept apart from the handlers so the engine (bot/) can ask without loading the
whole notice dialogue; the dependency points bot → dialogs, never back.
"""

from __future__ import annotations

from dialogs.turn import Refresh

REPORT_CARD = "notice.report"
_PREFIX = "notice:"


def report_refresh(batch: str) -> Refresh | None:
    """The author's report card for a notice's batch ("notice:<id>"); None for any other batch."""
    if not batch.startswith(_PREFIX):
        return None
    notice_id = batch[len(_PREFIX):]
    return Refresh(REPORT_CARD, notice_id) if notice_id.isdigit() else None

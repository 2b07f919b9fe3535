"""Every capability's flow modules, listed once.

Importing a flow module registers its text handlers, card actions, card renderers, Q&A sources
and scheduled jobs with the router (dialogs.router, dialogs.jobs). The app, the scheduler and the
benches call `load()` so that nothing depends on which module happened to be imported first.
"""

from __future__ import annotations

from types import ModuleType

from dialogs.agreements import handlers as agreements
from dialogs.agreements import lifecycle as agreement_lifecycle
from dialogs.agreements import qa_source as agreement_qa
from dialogs.archive import handlers as archive
from dialogs.consultations import closing, reminders, secretariat
from dialogs.consultations import handlers as consultations
from dialogs.meetings import handlers as meetings
from dialogs.notices import handlers as notices
from dialogs.qa import handlers as qa
from dialogs.routines import portfolio, procurement_dialog, projects, qa_portfolio
from dialogs.votes import handlers as votes

FLOWS: tuple[ModuleType, ...] = (
    consultations, secretariat, reminders, closing,
    meetings,
    notices,
    qa,
    procurement_dialog, projects, portfolio, qa_portfolio,
    votes,
    archive,
    agreements, agreement_lifecycle, agreement_qa,
)


def load() -> tuple[ModuleType, ...]:
    """The flow modules (already registered by importing this module)."""
    return FLOWS

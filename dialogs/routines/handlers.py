"""Registers the cooperation routines with the router (imported automatically by dialogs.router)."""

from dialogs.routines import portfolio, procurement_dialog, projects, qa_portfolio  # noqa: F401

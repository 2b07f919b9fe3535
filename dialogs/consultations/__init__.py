"""Consultations (høyringar) on a draft agreement: who answered, how, and every version kept.

Flow modules (registered with the router when imported): `handlers` (directors: the answer card,
receipts, status) and `secretariat` (open, extend, reopen, close); scheduled jobs: `reminders`,
`closing`. Rules: `rules` (pure checks and the write of a version), `status` (counts).
"""

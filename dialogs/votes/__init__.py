"""Steering-group cases (saker) and votes on adaptive cards."""

"""Cooperation routines: joint procurement, project checks, disagreements and the portfolio."""

"""Consultations (høyringar) on a draft agreement: who answered, how, and every version kept."""

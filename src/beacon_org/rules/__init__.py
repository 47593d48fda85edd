"""Rules: the questions services ask of an org, answered as ``Decision``s and ``Finding``s."""

from ._records import Decision, Finding, Severity

__all__ = ["Decision", "Finding", "Severity"]

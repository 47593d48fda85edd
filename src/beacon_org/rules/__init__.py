"""Rules: the questions services ask of an org, answered as ``Decision``s and ``Finding``s."""

from ._records import Decision, Finding, Severity
from ._setup import (
    READINESS_STEPS,
    SETUP_CODES,
    Readiness,
    ReadinessStep,
    check_setup,
    is_personal_email,
    readiness,
)

__all__ = [
    "READINESS_STEPS",
    "SETUP_CODES",
    "Decision",
    "Finding",
    "Readiness",
    "ReadinessStep",
    "Severity",
    "check_setup",
    "is_personal_email",
    "readiness",
]

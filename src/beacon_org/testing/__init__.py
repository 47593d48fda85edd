"""Testing kit for downstream suites: the sample org, its cases and items (strategies in ``.strategies``)."""

from .._changes import CHANGE_METHODS, Change
from ._sample import build_org, sample_cases, sample_items, sample_org

__all__ = ["CHANGE_METHODS", "Change", "build_org", "sample_cases", "sample_items", "sample_org"]

"""Testing kit for downstream suites: the sample org, its cases and items (strategies in ``.strategies``)."""

from .. import _public
from .._changes import CHANGE_METHODS, Change
from ._sample import build_org, sample_cases, sample_items, sample_org

__all__ = ["CHANGE_METHODS", "Change", "build_org", "sample_cases", "sample_items", "sample_org"]

# Reprs, tracebacks, pickles and the docs name this package, not the private module of each name.
_public.publish(__name__)

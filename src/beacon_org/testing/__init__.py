"""Testing kit for downstream suites: the sample org, its cases and items (strategies in ``.strategies``)."""

from ._sample import sample_cases, sample_items, sample_org

__all__ = ["sample_cases", "sample_items", "sample_org"]

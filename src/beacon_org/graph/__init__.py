"""The org as a networkx graph: its shape, the relation names on its edges, pictures and summaries."""

from .. import _public
from ._build import MANAGES, MEMBER, REP, build_graph
from ._draw import draw, layout, to_dot
from ._explore import Explorer, explore
from ._summary import summary

__all__ = [
    "MANAGES",
    "MEMBER",
    "REP",
    "Explorer",
    "build_graph",
    "draw",
    "explore",
    "layout",
    "summary",
    "to_dot",
]

# Reprs, tracebacks, pickles and the docs name this package, not the private module of each name.
_public.publish(__name__)

"""The org as a networkx graph: its shape and the relation names on its edges."""

from ._build import MANAGES, MEMBER, REP, build_graph

__all__ = ["MANAGES", "MEMBER", "REP", "build_graph"]

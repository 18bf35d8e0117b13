"""Dependency graphs: task graphs, references between resources."""

from __future__ import annotations


def find_cycle(graph: dict[str, list[str]]) -> list[str]:
    """One cycle in a dependency graph, as a path that returns to its start; [] when acyclic."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if state.get(nxt) is None and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return []

    for start in graph:
        if state.get(start) is None and (found := visit(start)):
            return found
    return []

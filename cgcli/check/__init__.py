"""The check: the independent references a computed number is held against.

SymPy within a time budget, a high-precision (mpmath) evaluation where SymPy runs out
of time, and the interval method over the graph itself; the verdicts and the report.
None of it reuses cg's own local derivatives or reverse pass.
Imports from :mod:`cgcli.passes` and :mod:`cgcli.core`.
"""

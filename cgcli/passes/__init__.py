"""The passes: programs over the graph IR, and IR-to-IR transformations.

The forward and backward passes (one point, and many points as arrays), programs
compiled for array code, the gradient graph, and input values (constant expressions
run through the forward pass). Loops over the node list, never recursion.
Imports only from :mod:`cgcli.core`.
"""

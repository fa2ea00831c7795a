"""The library's entry points: parse, run the passes, check, and return a result.

``evaluate`` (reverse mode), forward mode, the evaluated gradient graph, the Hessian,
exact arithmetic, and symbolic derivatives; each returns data that a renderer shows.
Imports from :mod:`cgcli.data` (many points), :mod:`cgcli.check`, :mod:`cgcli.passes`
and :mod:`cgcli.core`; a result's
display methods (``_repr_html_``, ``render``) import their renderer lazily, and those
few upward arrows are listed in pyproject.toml's import contract.
"""

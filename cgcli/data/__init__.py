"""Data at scale: many points streamed through the vectorised engine, files of points
in and out (CSV, TSV, JSON Lines, Parquet, Arrow), partitioned data sets, and the Dask
engine. Imports from the floors below it: :mod:`cgcli.check`, :mod:`cgcli.passes` and
:mod:`cgcli.core` (:mod:`cgcli.api` stands above it and calls it).
"""

"""Data at scale: many points streamed through the vectorised engine, files of points
in and out (CSV, TSV, JSON Lines, Parquet, Arrow), partitioned data sets, and the Dask
engine. Imports from :mod:`cgcli.api` and the floors below it.
"""

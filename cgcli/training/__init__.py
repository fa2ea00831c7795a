"""Training: gradient descent on a data set (in one process or on a Dask cluster), and
the small data sets cg ships. Imports from :mod:`cgcli.data`, :mod:`cgcli.api` and the
floors below; never from grading or teach, its siblings on the features floor.
"""

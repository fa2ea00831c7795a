"""Teaching: the worked solution, gate by gate, in reverse and in forward mode.

Imports from :mod:`cgcli.api` and the floors below it; never from grading or training,
its siblings on the features floor.
"""

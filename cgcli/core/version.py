"""The version of cg, one place for the package, the CLI and the page."""

__version__ = "0.1.0"

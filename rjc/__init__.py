"""rjc: case management for a community restorative-justice center."""

__version__ = "0.1.0"

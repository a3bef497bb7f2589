"""factory-tui: a threaded widget factory you can watch."""

__version__ = "0.1.0"

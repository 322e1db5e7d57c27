"""The program's version: the one place it is written (the package metadata, `motcua --version`, the sync
protocol's hello and the log's start line read it from here)."""

__version__ = "0.2.0"

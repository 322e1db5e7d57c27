"""Files the program reads at run time (fonts, the seed catalogue, styles, icons), found through
importlib.resources so that they resolve the same way from a source checkout, an installed package and the
PyInstaller folder."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def resource(*parts: str) -> Path:
    """The path of a bundled file, e.g. ``resource("fonts", "LiberationSerif-Regular.ttf")``."""
    return Path(str(files(__name__).joinpath(*parts)))

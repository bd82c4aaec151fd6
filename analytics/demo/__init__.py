"""The synthetic demo-data generator: ``generate(scale, seed, progress)`` and ``SCALES``."""

from .config import ATTRITION_DRIVERS, SCALES
from .generator import generate

__all__ = ["generate", "SCALES", "ATTRITION_DRIVERS"]

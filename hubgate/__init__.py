"""hubgate: prove that a labeling platform's cloud-storage integration is safe and correct."""

__version__ = "0.1.0"

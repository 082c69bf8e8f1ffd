"""ghostbook: an executable reproduction of Dinc et al., "A ghost mechanism"."""
__version__ = "0.1.0"

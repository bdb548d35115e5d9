"""IxDesk: decision support for ixabepilone (Ixempra) in breast cancer."""

__version__ = "0.1.0"

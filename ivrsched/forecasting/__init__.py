"""Load per time bucket and its picture."""

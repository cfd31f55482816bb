"""Small helpers shared across the package (no model code)."""

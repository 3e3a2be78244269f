"""Build and maintenance scripts of the book (not installed with dldna)."""

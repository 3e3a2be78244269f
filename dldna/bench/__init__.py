"""Benchmarks; run ``python -m dldna.bench`` to list them."""

"""Interactive widgets: each one is a pure, tested function plus a thin ipywidgets wrapper."""

"""Book plumbing: notebook helpers (glue, figure style), quiz questions, diagrams."""

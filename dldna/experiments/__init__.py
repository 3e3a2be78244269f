"""The experiment code of single chapters: each module serves one chapter's measurements.

Modules here build on every lower layer (data, models, train, measure, explain …) but never on
each other's internals beyond :mod:`dldna.experiments.repeated` (seeded repeated runs), and the
library below never imports them.
"""

"""Looking inside a trained network.

* :mod:`dldna.explain.hooks` – forward hooks that are always removed: activations, counts;
* :mod:`dldna.explain.gradcam` – Grad-CAM maps.
"""

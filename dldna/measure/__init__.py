"""Measuring networks: parameters, multiply-adds, receptive fields, speed and memory.

* :mod:`dldna.measure.counting` – parameter and multiply-add counts, per-layer tables;
* :mod:`dldna.measure.receptive_field` – receptive fields, computed and measured;
* :mod:`dldna.measure.architectures` – what the classic architectures cost, layer by layer;
* :mod:`dldna.measure.efficiency` – latency, memory and separable convolutions (chapter 8).
"""

"""Shipping a trained classifier: export (ONNX, ``torch.export``) with checked outputs, and a
model card.

* :mod:`dldna.deploy.export` — export, reload, parity (largest logit difference, same classes), file size and
  CPU latency beside the PyTorch model.
* :mod:`dldna.deploy.model_card` — a model card rendered from a dataclass that refuses to render
  with a missing field.

TorchScript is not used: it is deprecated upstream in favour of ``torch.export``.
"""

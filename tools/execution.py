"""Executing notebooks reliably: build tooling for the book build, the tests and
``tools/run_notebook.py`` (not part of the ``dldna`` package that readers install).

The notebook client now and then misses the wake-up for a message the kernel has already sent
(seen with ipywidgets cells) and notices it only when its poll times out — after the whole cell
timeout. Polling in short slices bounds the cost of such a miss.

Where it is applied: ``book/_ext/dldna_book.py`` (the book build), ``tests/conftest.py`` (a
session fixture, so every notebook the tests execute is covered) and ``tools/run_notebook.py``.
"""
from __future__ import annotations

from queue import Empty
from time import monotonic


def patch_missed_wakeups(slice_seconds: float = 1.0) -> None:
    """Make jupyter_client's asyncio channels wait for a message in short polls (idempotent)."""
    from jupyter_client.channels import AsyncZMQSocketChannel

    if getattr(AsyncZMQSocketChannel.get_msg, "dldna_sliced", False):
        return

    async def get_msg(self, timeout: float | None = None):
        deadline = None if timeout is None else monotonic() + timeout
        while True:
            left = slice_seconds if deadline is None else min(slice_seconds, deadline - monotonic())
            if await self.socket.poll(max(0, int(left * 1000))):
                return await self._recv()
            if deadline is not None and monotonic() >= deadline:
                raise Empty

    get_msg.dldna_sliced = True
    AsyncZMQSocketChannel.get_msg = get_msg

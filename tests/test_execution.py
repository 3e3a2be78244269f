"""tools/execution.py: sliced polling of kernel messages, applied to every notebook the tests run."""
from __future__ import annotations

import asyncio
import importlib.util
import time
from queue import Empty

import nbformat
import pytest
from jupyter_client.channels import AsyncZMQSocketChannel
from nbclient import NotebookClient


def test_the_session_fixture_has_patched_the_client_already():
    """No test has to remember it: tests/conftest.py applies the patch for the whole session."""
    assert getattr(AsyncZMQSocketChannel.get_msg, "dldna_sliced", False)


def test_the_patch_is_build_tooling_not_part_of_the_package():
    assert importlib.util.find_spec("dldna._execution") is None
    from tools.execution import patch_missed_wakeups

    before = AsyncZMQSocketChannel.get_msg
    patch_missed_wakeups()  # idempotent: a second call changes nothing
    assert AsyncZMQSocketChannel.get_msg is before


def test_sliced_polling_returns_messages_and_times_out():
    """Kernel messages are awaited in short polls, so a missed wake-up costs a second, not the
    cell timeout; a real message still arrives and silence still ends in Empty at the deadline."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    NotebookClient(nb, timeout=30, kernel_name="python3").execute()
    assert nb.cells[0].outputs[0]["text"] == "42\n"

    async def silence():
        import zmq.asyncio
        from jupyter_client.session import Session

        context = zmq.asyncio.Context()
        socket = context.socket(zmq.PAIR)
        socket.bind("inproc://nothing-is-sent")
        try:
            channel = AsyncZMQSocketChannel(socket, Session())
            start = time.monotonic()
            with pytest.raises(Empty):
                await channel.get_msg(timeout=2.5)
            return time.monotonic() - start
        finally:
            socket.close(0)
            context.term()

    assert 2.4 <= asyncio.run(silence()) < 10

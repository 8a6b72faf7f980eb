"""At most MOVES_PER_PROCESS moves run at once in one worker process; the
others wait their turn here, before they have done anything.

Moves of one board are serialised by the board's lock, and the holder of
that lock should finish as fast as its own work allows. In a threaded
worker every other request of the process shares the GIL with it: ten moves
that parse, check access and render at the same time as the one holding the
lock make it wait for the GIL after each statement, and its lock is held
several times longer than its own CPU time (bench/move_load.py shows both).
Letting each process work on one move at a time keeps the lock's holder
running (with two worker processes, one move holds the lock while the other
does its checks or renders its answer), and the moves wait in a queue of
their own rather than inside the lock. Other requests are not limited."""

from __future__ import annotations

import threading

from flask import current_app, g

_ADMITTED = "tiltag_move_admitted"
_gates: dict[int, threading.BoundedSemaphore] = {}
_gates_lock = threading.Lock()


def _gate(app) -> threading.BoundedSemaphore | None:
    size = app.config.get("MOVES_PER_PROCESS")
    if not size:
        return None
    with _gates_lock:
        gate = _gates.get(id(app))
        if gate is None:
            gate = _gates[id(app)] = threading.BoundedSemaphore(size)
        return gate


def admit() -> None:
    """Wait for this process's turn (a before_request of the moves area)."""
    gate = _gate(current_app)
    if gate is not None:
        gate.acquire()
        g.setdefault(_ADMITTED, gate)


def leave(_error=None) -> None:
    """The move is answered (or failed): the next one may start."""
    gate = g.pop(_ADMITTED, None)
    if gate is not None:
        gate.release()

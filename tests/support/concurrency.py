"""Real concurrent writers for concurrency tests.

On PostgreSQL each call runs in its own thread and database connection, released together by a
barrier, so the transactions really overlap; SQLite's test database (one connection) runs the same
calls one after another. Every run is bounded in time: a writer still running after
``BOUND_SECONDS`` fails the test ("a writer hung"), and so does any exception the test did not name
as expected (never swallowed).
"""

import threading

from django.db import connection

BOUND_SECONDS = 60
BARRIER_SECONDS = 30


def race(*calls, expect: tuple[type[BaseException], ...] = ()) -> list:
    """Run ``calls`` at once and return one outcome per call, in the order they finished: what the
    call returned, or the exception of an ``expect`` type it raised."""
    concurrent = connection.vendor == "postgresql"
    barrier, outcomes, errors = threading.Barrier(len(calls)), [], []

    def run(call):
        try:
            if concurrent:
                barrier.wait(timeout=BARRIER_SECONDS)
            outcomes.append(call())
        except expect as exc:
            outcomes.append(exc)
        except Exception as exc:  # reported below, never swallowed
            errors.append(repr(exc))
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(call,), daemon=True) for call in calls]
    for worker in workers:
        worker.start()
        if not concurrent:
            worker.join(BOUND_SECONDS)
    for worker in workers:
        worker.join(BOUND_SECONDS)
    assert not any(worker.is_alive() for worker in workers), "a writer hung"
    assert errors == [], errors
    return outcomes


def label(outcomes: list, done: str = "ok") -> list[str]:
    """Outcomes as sorted short labels: ``done`` for a call that returned, the exception's class name
    in lower case (``"conflict"``, ``"validationfailed"``) for one that raised."""
    return sorted(type(o).__name__.lower() if isinstance(o, BaseException) else done for o in outcomes)

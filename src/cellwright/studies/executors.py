"""Where a study's chunks are evaluated: in this process, in local worker processes, or on a
Dask distributed cluster. All three take ``submit(model, chunk)`` and return a
:class:`concurrent.futures.Future` of the model's outputs for the chunk's values; a chunk's
outputs are a pure function of the model and the chunk, so the backend never changes a number.

The model is sent to each worker once (a process pool's initializer, a Dask broadcast), not with
every chunk.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Protocol

import numpy as np

from ..errors import SpecError


class Executor(Protocol):
    """What the runner needs of a backend."""

    @property
    def workers(self) -> int:
        """How many chunks it evaluates at once."""
        ...

    def submit(self, model: Any, chunk: Any) -> Future: ...

    def close(self) -> None: ...


class _SentSpecError(SpecError):
    """A :class:`SpecError` raised in a worker, pickled so that it arrives as the same
    ``SpecError(field, value, allowed)`` (the base class's pickling passes only the message)."""

    def __reduce__(self):
        return (SpecError, (self.field, self.value, self.allowed))


def evaluate(model: Any, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``model.evaluate(values)`` with every output checked to have one row per input row."""
    n = len(next(iter(values.values()))) if values else 0
    out = model.evaluate(values)
    for name, arr in out.items():
        if np.shape(arr)[:1] != (n,):
            raise ValueError(f"the model's output {name!r} has shape {np.shape(arr)}, expected ({n},)")
    return {k: np.asarray(v) for k, v in out.items()}


def evaluate_remote(model: Any, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """:func:`evaluate` in a worker: a user's mistake found there reaches the caller as the
    same :class:`SpecError`."""
    try:
        return evaluate(model, values)
    except SpecError as exc:
        if type(exc) is not SpecError:
            raise
        raise _SentSpecError(exc.field, exc.value, exc.allowed) from None


class InProcess:
    """Evaluate each chunk at once in this process (the default)."""

    workers = 1

    def submit(self, model: Any, chunk: Any) -> Future:
        fut: Future = Future()
        try:
            fut.set_result(evaluate(model, chunk.values))
        except BaseException as exc:  # the runner re-raises it where it collects the result
            fut.set_exception(exc)
        return fut

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# the model a pool worker evaluates with, installed once by the pool's initializer
_WORKER_MODEL: Any = None


def _install(model: Any) -> None:
    global _WORKER_MODEL
    _WORKER_MODEL = model


def _evaluate_installed(values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return evaluate_remote(_WORKER_MODEL, values)


class Processes:
    """Evaluate chunks in ``workers`` local processes (started with ``spawn``, so it behaves
    the same on Linux, macOS and Windows, and no worker inherits the parent's threads).

    The model is pickled once per worker when the pool starts; a different model object
    restarts the pool. As with any spawned process, a script that uses it must start its work
    under ``if __name__ == "__main__":`` (each worker imports the script's module); the
    ``cellwright`` command does.
    """

    def __init__(self, workers: int):
        if isinstance(workers, bool) or not isinstance(workers, int | np.integer) or workers < 1:
            raise SpecError("--workers", workers, "a whole number of worker processes, at least 1")
        self.workers = int(workers)
        self._pool: ProcessPoolExecutor | None = None
        self._model: Any = None

    def _pool_for(self, model: Any) -> ProcessPoolExecutor:
        if self._pool is None or self._model is not model:
            self.close()
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_install,
                initargs=(model,),
            )
            self._model = model
        return self._pool

    def submit(self, model: Any, chunk: Any) -> Future:
        return self._pool_for(model).submit(_evaluate_installed, chunk.values)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            self._model = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Dask:
    """Evaluate chunks on a Dask distributed cluster at ``address`` (``tcp://HOST:PORT`` of its
    scheduler). Every worker must be able to import cellwright (and the model's module). The
    model is broadcast to every worker once."""

    def __init__(self, address: str, *, timeout_s: float = 30.0):
        try:
            from distributed import Client
        except ImportError:  # pragma: no cover - distributed is a dependency
            raise SpecError("--scheduler", address, "needs the 'distributed' package") from None
        if not isinstance(address, str) or "://" not in address:
            raise SpecError("--scheduler", address, "a Dask scheduler address such as tcp://10.0.0.5:8786")
        try:
            self.client = Client(address, timeout=timeout_s, set_as_default=False)
        except OSError as exc:
            raise SpecError("--scheduler", address, f"no Dask scheduler answers there ({exc})") from None
        self._model: Any = None
        self._model_future: Any = None
        self._pending: set[Any] = set()  # remote futures kept alive until their result is in
        self._lock = threading.Lock()

    @property
    def workers(self) -> int:
        return max(1, sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values()))

    def submit(self, model: Any, chunk: Any) -> Future:
        if self._model is not model:
            self._model_future = self.client.scatter(model, broadcast=True, hash=False)
            self._model = model
        remote = self.client.submit(evaluate_remote, self._model_future, chunk.values, pure=False)
        fut: Future = Future()

        def settle(done: Any) -> None:
            try:
                fut.set_result(done.result())
            except BaseException as exc:
                fut.set_exception(exc)
            finally:
                with self._lock:
                    self._pending.discard(done)

        with self._lock:
            self._pending.add(remote)
        remote.add_done_callback(settle)
        return fut

    def close(self) -> None:
        with self._lock:
            self._pending.clear()
        self._model_future = None
        self._model = None
        self.client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def make_executor(workers: int | None = None, scheduler: str | None = None) -> Executor:
    """The backend the options ask for: ``scheduler`` -> :class:`Dask`, ``workers`` ->
    :class:`Processes`, neither -> :class:`InProcess`; both is an error naming the options."""
    if workers is not None and scheduler is not None:
        raise SpecError("--workers", workers, "give --workers or --scheduler, not both")
    if scheduler is not None:
        return Dask(scheduler)
    if workers is not None:
        return Processes(workers)
    return InProcess()

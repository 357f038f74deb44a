"""A torch model's loss at many parameter vectors at once. With ``torch_inputs``, the only
modules of the landscape that import torch: they are imported when a slice is made, never by
``import anim``.

:class:`ModelLoss` holds a model, its loss function and its data, checks once that they
fit (before anything is evaluated), and evaluates L(θ) for a batch of parameter vectors θ
in one vectorized call: ``torch.func.functional_call`` under ``torch.func.vmap`` over the
parameter sets, in chunks of ``chunk_size`` vectors, over the data in batches of
``batch_size`` rows (the full data by default), on the model's device. By default a chunk
holds about ``CHUNK_ROWS`` rows of data in all (64 vectors on 64 rows, 6 on 600): on a
CPU, vectorizing pays while it saves per-call overhead, and costs once a chunk's
activations no longer fit in the caches; where fewer than ``MIN_VECTORIZED`` vectors
would fit (2,000 rows), each vector is evaluated on its own, without vmap. The model is
evaluated in eval mode (dropout off, norm layers on their running statistics), so the
loss is a deterministic function of θ. Models that ``vmap`` cannot batch (code that calls
``.item()`` in ``forward``, data-dependent control flow) are evaluated one vector at a time
instead, with the same results.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch
from numpy.typing import ArrayLike
from torch.func import functional_call, vmap

from .cache import Fingerprint
from .torch_inputs import (
    as_tensor,
    code_identity,
    first_line,
    numpy_array,
    resolve_device,
    resolve_dtype,
    shape_text,
)

__all__ = ["ModelLoss"]

#: Rows (samples × parameter vectors) one vectorized call holds by default, and its most vectors.
CHUNK_ROWS, MOST_PER_CHUNK, MIN_VECTORIZED = 4096, 64, 4
#: From this many chunks on, a CPU evaluation is shared among threads.
PARALLEL_CHUNKS = 4


class ModelLoss:
    """L(θ): ``loss_fn(model(inputs), targets)`` over ``data = (inputs, targets)`` with
    the model's parameters set to θ (flat, in the order of ``model.parameters()``).

    ``loss_fn`` must return a scalar: the mean over the rows it is given (torch's default
    reduction); a loss module with ``reduction="sum"`` is summed over the batches instead.
    Everything is checked by one forward pass here, so a model, data or loss that do not
    fit fail with one line before any grid is evaluated.
    """

    def __init__(
        self,
        model,
        loss_fn,
        data,
        *,
        dtype=None,
        device=None,
        batch_size=None,
        chunk_size: int | None = None,
    ):
        if not isinstance(model, torch.nn.Module):
            raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
        if not callable(loss_fn):
            raise ValueError(
                f"loss_fn must be a function loss_fn(outputs, targets), got "
                f"{type(loss_fn).__name__}"
            )
        self.model, self.loss_fn = model, loss_fn
        self.device = resolve_device(model, device)
        self.dtype = resolve_dtype(dtype, model)
        named = list(model.named_parameters())
        self.names = [name for name, _ in named]
        self.shapes = [tuple(p.shape) for _, p in named]
        self.sizes = [p.numel() for _, p in named]
        self.size = sum(self.sizes)
        self.buffers = {
            name: (b.to(self.dtype) if b.is_floating_point() else b).detach().to(self.device)
            for name, b in model.named_buffers()
        }
        self.inputs, self.targets = self._data(data)
        self.rows = len(self.inputs)
        self.batch_size = self._batch_size(batch_size)
        self.chunk_size = self._chunk_size(chunk_size)
        reduction = getattr(loss_fn, "reduction", "mean")
        self.summed = reduction == "sum"
        self.vectorized = True
        self._fingerprint: Fingerprint | None = None
        self._check()

    # --- what was given --------------------------------------------------------------
    def _data(self, data):
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise ValueError(
                f"data must be a pair (inputs, targets), got "
                f"{type(data).__name__}"
                + (f" of {len(data)}" if isinstance(data, (tuple, list)) else "")
            )
        inputs = as_tensor(data[0], "inputs", self.dtype, self.device)
        targets = as_tensor(data[1], "targets", self.dtype, self.device)
        if inputs.ndim == 0 or targets.ndim == 0:
            raise ValueError(
                "inputs and targets must hold one row per sample, got shapes "
                f"{shape_text(inputs)} and {shape_text(targets)}"
            )
        if len(inputs) != len(targets):
            raise ValueError(
                f"inputs and targets do not fit: {len(inputs)} input rows "
                f"{shape_text(inputs)} but {len(targets)} targets "
                f"{shape_text(targets)}"
            )
        if len(inputs) == 0:
            raise ValueError("the data is empty (0 rows)")
        return inputs, targets

    def _batch_size(self, batch_size):
        if batch_size is None:
            return self.rows
        if (
            isinstance(batch_size, bool)
            or not isinstance(batch_size, (int, np.integer))
            or batch_size < 1
        ):
            raise ValueError(f"Invalid batch_size: {batch_size!r} (must be an integer >= 1)")
        return min(int(batch_size), self.rows)

    def _chunk_size(self, chunk_size):
        if chunk_size is None:
            fits = min(MOST_PER_CHUNK, CHUNK_ROWS // self.batch_size)
            return fits if fits >= MIN_VECTORIZED else 1
        if (
            isinstance(chunk_size, bool)
            or not isinstance(chunk_size, (int, np.integer))
            or chunk_size < 1
        ):
            raise ValueError(f"Invalid chunk_size: {chunk_size!r} (must be an integer >= 1)")
        return int(chunk_size)

    def _check(self):
        """One forward pass at the model's own parameters, on the first batch: the model,
        the data and the loss fit, and the loss is one number."""
        theta = torch.tensor(self.flat(), dtype=self.dtype, device=self.device)
        inputs, targets = self.inputs[: self.batch_size], self.targets[: self.batch_size]
        with torch.no_grad(), self._eval_mode():
            try:
                outputs = functional_call(
                    self.model, (self._unflatten(theta), self.buffers), (inputs,)
                )
            except Exception as exc:  # the model's own code: whatever it raises
                raise ValueError(
                    f"the model ({type(self.model).__name__}) cannot take the "
                    f"inputs of shape {shape_text(inputs)}: {first_line(exc)}"
                ) from None
            try:
                loss = self.loss_fn(outputs, targets)
            except Exception as exc:  # the user's loss: whatever it raises
                raise ValueError(
                    f"loss_fn cannot compare the model's outputs of shape "
                    f"{shape_text(outputs)} with the targets of shape "
                    f"{shape_text(targets)}: {first_line(exc)}"
                ) from None
        if not isinstance(loss, torch.Tensor):
            raise ValueError(f"loss_fn must return a scalar tensor, got {type(loss).__name__}")
        if loss.numel() != 1 or loss.ndim > 1:
            raise ValueError(
                f"loss_fn must return one number for the batch (a scalar), got "
                f"a tensor of shape {shape_text(loss)}: reduce it, e.g. with "
                "reduction='mean'"
            )

    # --- parameter vectors -----------------------------------------------------------
    def flat(self) -> np.ndarray:
        """The model's current parameters as one float64 vector."""
        return np.concatenate(
            [
                p.detach().reshape(-1).to("cpu", torch.float64).numpy()
                for p in self.model.parameters()
            ]
        )

    def weights(self) -> list[np.ndarray]:
        """The model's current parameters, one float64 array each, in order."""
        return [p.detach().to("cpu", torch.float64).numpy() for p in self.model.parameters()]

    def vector(self, value: object, what: str) -> np.ndarray:
        """A parameter vector from a flat array or tensor, a list of per-parameter tensors,
        a state dict, or a model of the same architecture."""
        if isinstance(value, torch.nn.Module):
            value = list(value.parameters())
        if isinstance(value, dict):
            missing = [name for name in self.names if name not in value]
            if missing:
                raise ValueError(
                    f"{what} has no entry {missing[0]!r} (a state dict of the "
                    "model's own parameters is expected)"
                )
            value = [value[name] for name in self.names]
        if (
            isinstance(value, (list, tuple))
            and value
            and all(isinstance(part, (torch.Tensor, np.ndarray)) for part in value)
        ):
            shapes = [tuple(np.shape(part)) for part in value]
            if shapes != self.shapes:
                raise ValueError(
                    f"{what} has parameters of shapes {shapes}, but the model's are {self.shapes}"
                )
            value = np.concatenate([numpy_array(part).reshape(-1) for part in value])
        vector = numpy_array(value).reshape(-1)
        if vector.size != self.size:
            raise ValueError(
                f"{what} has {vector.size} numbers, but the model has {self.size} parameters"
            )
        return vector

    def _unflatten(self, theta):
        parts, start = {}, 0
        for name, shape, size in zip(self.names, self.shapes, self.sizes):
            parts[name] = theta[start : start + size].view(shape)
            start += size
        return parts

    # --- evaluation ------------------------------------------------------------------
    @contextlib.contextmanager
    def _eval_mode(self):
        modes = [(module, module.training) for module in self.model.modules()]
        self.model.eval()
        try:
            yield
        finally:
            for module, mode in modes:
                module.training = mode

    def _one(self, module, theta, inputs, targets):
        outputs = functional_call(module, (self._unflatten(theta), self.buffers), (inputs,))
        return self.loss_fn(outputs, targets).reshape(())

    def _batched(self, module, thetas, inputs, targets):
        """L on one batch of rows at every parameter vector of ``thetas`` (n, P)."""
        if self.vectorized and len(thetas) > 1:
            try:
                return vmap(functools.partial(self._one, module), in_dims=(0, None, None))(
                    thetas, inputs, targets
                )
            except Exception:  # anything vmap cannot batch: one vector at a time instead
                self.vectorized = False
        return torch.stack([self._one(module, theta, inputs, targets) for theta in thetas])

    def _weights(self):
        """(start, stop, weight) of each batch of rows: the full loss is their weighted sum."""
        for start in range(0, self.rows, self.batch_size):
            stop = min(start + self.batch_size, self.rows)
            yield start, stop, 1.0 if self.summed else (stop - start) / self.rows

    def _loss(self, module, thetas):
        total = 0.0
        for start, stop, weight in self._weights():
            values = self._batched(
                module, thetas, self.inputs[start:stop], self.targets[start:stop]
            )
            total = total + (values if weight == 1.0 else values * weight)
        return total

    def _each_chunk(self, count: int, work, progress=None) -> None:
        """``work(module, start, stop)`` for every chunk of ``count`` vectors.

        On the CPU, many chunks are shared among as many threads as torch would use, each
        with its own copy of the model (``functional_call`` swaps a module's parameters
        while it runs) and one torch thread: the points are independent, so no thread
        ever waits for another, where torch's own threads wait at every operation (and,
        on a busy machine, spin for a core the while). A few points (a race's step) run
        in this thread, with one torch thread too."""
        chunks = [
            (start, min(start + self.chunk_size, count))
            for start in range(0, count, self.chunk_size)
        ]
        threads = torch.get_num_threads()
        workers = (
            min(threads, len(chunks))
            if self.device.type == "cpu" and len(chunks) >= PARALLEL_CHUNKS
            else 1
        )
        modules = [self.model]
        if workers > 1:
            try:
                modules = [copy.deepcopy(self.model) for _ in range(workers)]
            except Exception:  # a model that cannot be copied runs in this thread
                workers = 1

        counting = threading.Lock()

        def run(module, share):
            for start, stop in share:
                work(module, start, stop)
                if progress is not None:
                    with counting:
                        progress(stop - start)

        if self.device.type == "cpu":
            torch.set_num_threads(1)
        try:
            if workers == 1:
                run(self.model, chunks)
                return
            with ThreadPoolExecutor(workers) as pool:
                done = [pool.submit(run, modules[k], chunks[k::workers]) for k in range(workers)]
                for future in done:
                    future.result()
        finally:
            torch.set_num_threads(threads)

    def losses(
        self, thetas: ArrayLike, progress: Callable[[int], object] | None = None
    ) -> np.ndarray:
        """L at each parameter vector of ``thetas`` (n, P), as float64."""
        vectors = np.atleast_2d(np.asarray(thetas, dtype=np.float64))
        out = np.empty(len(vectors))

        def work(module: torch.nn.Module, start: int, stop: int) -> None:
            chunk = torch.tensor(vectors[start:stop], dtype=self.dtype, device=self.device)
            with torch.no_grad():
                out[start:stop] = numpy_array(self._loss(module, chunk))

        with self._eval_mode():
            self._each_chunk(len(vectors), work, progress)
        return out

    def along(
        self,
        origin: np.ndarray,
        directions: np.ndarray,
        points: ArrayLike,
        gradient: bool,
        progress: Callable[[int], object] | None = None,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """f(x, y) = L(origin + x·d₁ + y·d₂) at ``points`` (n, 2), and with ``gradient``
        its exact gradient (d₁·∇L, d₂·∇L) by autograd: (values (n,), grads (n, 2) or None)."""
        # Copies: the plane's arrays are read-only, which torch cannot wrap.
        start_point = torch.tensor(origin, dtype=self.dtype, device=self.device)
        axes = torch.tensor(directions, dtype=self.dtype, device=self.device)
        coordinates = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        values = np.empty(len(coordinates))
        grads = np.empty((len(coordinates), 2)) if gradient else None

        def work(module: torch.nn.Module, start: int, stop: int) -> None:
            where = torch.tensor(coordinates[start:stop], dtype=self.dtype, device=self.device)
            if grads is not None:  # with the gradient
                values[start:stop], grads[start:stop] = self._value_and_grad(
                    module, start_point, axes, where
                )
            else:
                with torch.no_grad():
                    values[start:stop] = numpy_array(self._loss(module, start_point + where @ axes))

        with self._eval_mode():
            self._each_chunk(len(coordinates), work, progress)
        return values, grads

    def _value_and_grad(self, module, origin, directions, where):
        # One backward pass per batch of rows, so memory holds one batch's graph at a time.
        value = np.zeros(len(where))
        grad = np.zeros((len(where), 2))
        for start, stop, weight in self._weights():
            coordinates = where.clone().requires_grad_(True)
            with torch.enable_grad():
                batch = self._batched(
                    module,
                    origin + coordinates @ directions,
                    self.inputs[start:stop],
                    self.targets[start:stop],
                )
                batch = batch * weight
                (derivative,) = torch.autograd.grad(batch.sum(), coordinates)
            value += numpy_array(batch.detach())
            grad += numpy_array(derivative)
        return value, grad

    # --- identity --------------------------------------------------------------------
    def fingerprint(self) -> Fingerprint:
        """A hash of everything L depends on (see :mod:`anim.landscape.cache`)."""
        if self._fingerprint is None:
            mark = Fingerprint().text(f"torch {torch.__version__}")
            mark.text(repr(self.model))
            for module_class in dict.fromkeys(type(m) for m in self.model.modules()):
                mark.text(code_identity(module_class))
            mark.text(code_identity(self.loss_fn) + repr(self.loss_fn))
            mark.text(f"{self.dtype} {self.device.type} {self.batch_size} {self.summed}")
            for name, shape in zip(self.names, self.shapes):
                mark.text(f"{name}{shape}")
            for name, buffer in self.buffers.items():
                mark.text(name).array(numpy_array(buffer))
            mark.array(numpy_array(self.inputs)).array(numpy_array(self.targets))
            self._fingerprint = mark
        return self._fingerprint.copy()

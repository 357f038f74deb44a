"""Optimizers that race: the built-ins, your own update rule, torch's and optax's.

Every optimizer offers ``init(params) -> state`` and ``update(grads, state, params) ->
(new_params, new_state)`` on float64 arrays of shape (n, 2), n points on the surface::

    opt = RMSProp(0.1)
    params = np.array([[-1.5, 2.0]])
    state = opt.init(params)
    for _ in range(100):
        params, state = opt.update(grad(params), state, params)

- the built-ins (:mod:`.builtin`, :mod:`.adam`) equal ``torch.optim`` step for step in float64;
- :func:`optimizer` turns your own step function into an optimizer class;
- :func:`from_torch` and :func:`from_optax` race any torch or optax optimizer.

Each takes ``lr`` positionally or by name (a number or a schedule from
:mod:`anim.schedules`), and ``label=`` (legend text) and ``color=`` (any matplotlib colour)
by name.
"""

from .base import Optimizer
from .builtin import (
    GD,
    OPTIMIZERS,
    AdaDelta,
    AdaGrad,
    Adam,
    Adamax,
    AdamW,
    Momentum,
    NAdam,
    Nesterov,
    RAdam,
    RMSProp,
)
from .custom import optimizer
from .optax_adapter import from_optax
from .torch_adapter import from_torch

__all__ = [
    "Optimizer",
    "GD",
    "Momentum",
    "Nesterov",
    "AdaGrad",
    "RMSProp",
    "AdaDelta",
    "Adam",
    "AdamW",
    "NAdam",
    "RAdam",
    "Adamax",
    "OPTIMIZERS",
    "optimizer",
    "from_torch",
    "from_optax",
]

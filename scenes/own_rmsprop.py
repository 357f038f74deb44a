"""Write your own optimizer: RMSProp from scratch in six lines, racing the built-in.

The update rule is the blog post's, h ← ρh + (1 − ρ)g², x ← x − η·g / (√h + ε), written
as a numpy step function; ``@optimizer`` makes it an optimizer like any other. It
follows the built-in RMSProp (which equals torch.optim.RMSprop) step for step: the two
trails lie on top of each other and arrive at the same step. GD with the same learning
rate shows what the division by √h buys on this elongated valley.
"""

import numpy as np

from anim import Scene, optimizer, surfaces
from anim.optimizers import GD, RMSProp


@optimizer(lr=0.01, rho=0.9, eps=1e-8)
def HandRMSProp(x, g, state, *, lr, rho, eps):
    h = rho * state.get("h", 0.0) + (1 - rho) * g * g
    return x - lr * g / (np.sqrt(h) + eps), {"h": h}


scene = Scene(
    surface=surfaces.ravine(),
    optimizers=[HandRMSProp(lr=0.4), RMSProp(lr=0.4), GD(lr=0.4)],
    start=(-7, 2),
    steps=80,
    title="Six lines of numpy race the built-in RMSProp",
)

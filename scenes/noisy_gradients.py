"""Noisy gradients: the same race when every gradient is off by Gaussian noise.

Stochastic gradient descent never sees the true gradient, only a noisy estimate of it.
Here each gradient component gets noise of standard deviation σ = 1, the same draw for
every optimizer at each step (so none of them is luckier than the others). GD at lr 0.4
turns every noisy gradient into a big step and zigzags across the valley (arrives at
step 55). Momentum (β = 0.9) smooths the path and arrives first (step 16), but it adds
up the noise with the slope and keeps swinging around the minimum: over the last 100
steps its mean loss is the highest (0.52). GD at lr 0.1 takes small steps that average
the noise out: last to arrive (step 143), lowest mean loss (0.058). With noise an
arrival is a *first* arrival: the optimizers do not settle at the goal, they keep
moving around it.
"""

from anim import Scene, surfaces
from anim.optimizers import GD, Adam, Momentum

scene = Scene(
    surface=surfaces.ravine(),
    optimizers=[
        GD(lr=0.4),
        GD(lr=0.1),
        Momentum(lr=0.1, momentum=0.9),
        Adam(lr=0.5),
    ],
    start=(-7, 2),
    steps=200,
    noise=1.0,
    seed=0,
    title="Noisy gradients (σ = 1): who arrives, who settles",
)

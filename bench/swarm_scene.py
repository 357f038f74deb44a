"""The swarm benchmark: 4 optimizers on Himmelblau for 300 steps, from one start
(``single``) and from a 16 x 16 grid of 256 starts (``swarm``)."""

from anim import Scene, starts, surfaces
from anim.optimizers import GD, Adam, Momentum, RMSProp

OPTIMIZERS = [GD(lr=0.01), Momentum(lr=0.005, momentum=0.9), RMSProp(lr=0.05), Adam(lr=0.1)]

single = Scene(
    surface=surfaces.himmelblau(), optimizers=OPTIMIZERS, start=(0.5, -0.5), goal="any", steps=300
)
swarm = Scene(
    surface=surfaces.himmelblau(),
    optimizers=OPTIMIZERS,
    starts=starts.grid(16),
    goal="any",
    steps=300,
)

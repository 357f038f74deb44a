"""A learning-rate schedule: warm-up lets a learning rate that blows up at the start survive.

On Rosenbrock's valley, Momentum with lr 0.003 is thrown off the board within six steps:
the first gradients, on the steep wall, are huge. A quarter of that (0.00075) is safe
but crawls along the flat floor. ``warmup_cosine(0.003, 50, 300)`` starts at 0, ramps
up to 0.003 over 50 steps, while the ball is already in the valley, then decays it along
half a cosine: it reaches the minimum. The schedule is written in the legend.
"""

from anim import Scene, surfaces
from anim.optimizers import Momentum
from anim.schedules import warmup_cosine

scene = Scene(
    surface=surfaces.rosenbrock(),
    optimizers=[
        Momentum(0.003, momentum=0.9),
        Momentum(0.00075, momentum=0.9),
        Momentum(warmup_cosine(0.003, warmup_steps=50, steps=300), momentum=0.9),
    ],
    start=(-1.5, 2.0),
    steps=300,
    loss_panel=True,
    title="Warm-up, then cosine: the big learning rate survives",
)

"""How much momentum? Too little crawls, too much overshoots and keeps swinging.

Four racers share lr = 0.1 on the bowl f = x²/10 + y², shallow along x and steep
across. Only their momentum β differs: 0 (plain GD), 0.5, 0.9 and 0.99. Momentum adds
up past gradients, so on a steady slope it moves up to 1/(1 − β) times as far per step
as GD: 2, 10 and 100 times.

GD shrinks x by 2 % per step, so it needs 176 steps to come within 0.2 of the minimum.
β = 0.5 doubles that speed and arrives at step 85. β = 0.9 arrives first, at step 37,
after overshooting once to x = 2.07. β = 0.99 builds up so much speed that it shoots
across the bowl to x = 6.27, almost as far as it started on the other side, and then
swings back and forth, losing only about 0.5 % of its amplitude per step. The bowl is
steeper across than along, so it swings faster in y than in x, and together the two
swings trace loops. Its trail crosses the finish circle many times before one of its
steps lands inside it, at step 232, where the picture stops its head; left alone it
would keep swinging (its loss at step 300 would be 0.11, the others' below 0.0001).

The finish circle has radius 0.2 instead of the default 0.45, so that a racer has to
come close to the minimum to count.
"""

from anim import Scene, surfaces
from anim.optimizers import GD, Momentum

LEARNING_RATE = 0.1

scene = Scene(
    surface=surfaces.ravine(scale=10),
    # β = 0.99 first: it is drawn under the others, whose trails its loops would hide.
    optimizers=[
        Momentum(lr=LEARNING_RATE, momentum=0.99),
        Momentum(lr=LEARNING_RATE, momentum=0.9),
        Momentum(lr=LEARNING_RATE, momentum=0.5),
        GD(lr=LEARNING_RATE),
    ],
    start=(-7, 2),
    steps=300,
    goal_radius=0.2,
    title="Momentum: β = 0.9 arrives first, β = 0.99 overshoots",
)

"""Escaping a saddle: GD stalls at the saddle point, adaptive methods turn away at once.

f = x² − y² has no minimum: it falls for ever along y (the light regions at the top
and bottom) and rises along x. Every racer starts at (−1, 0.001), almost on the x
axis, where the pull towards the saddle point (0, 0) is strong (the x gradient is −2)
and the push away from it is tiny (the y gradient is −0.002). The star at (0, 1.8) is
not a minimum: it is a finish line for "escaped", 1.8 down the escape direction, and a
racer counts as arrived within 0.3 of it.

GD multiplies x by 0.9 and y by 1.1 at every step (lr = 0.05). So it first runs
straight into the saddle point, where the gradient vanishes, and waits there, within
0.1 of (0, 0) from step 22 to step 48, until y has grown big enough to matter. It
arrives at step 77, the step at which 0.001 × 1.1ᵗ reaches 1.5.

RMSProp, Adam and AdaGrad divide each coordinate's step by that coordinate's own
gradient size, so the tiny y gradient gets as long a step as the big x gradient:
RMSProp (same lr) moves 0.159 up on its first step, GD 0.0001. They head diagonally
away from the saddle point and never come near it: RMSProp arrives at step 15, Adam
at step 29 and AdaGrad, whose steps keep shrinking as it sums every squared gradient
(so it gets lr = 0.1), at step 37. After the finish every racer keeps falling off the
board, which is why the final losses that `python -m anim race` prints are large and
negative.
"""

from anim import Scene, surfaces
from anim.optimizers import GD, AdaGrad, Adam, RMSProp

LEARNING_RATE = 0.05

scene = Scene(
    surface=surfaces.saddle(),
    optimizers=[
        GD(lr=LEARNING_RATE),
        RMSProp(lr=LEARNING_RATE),
        Adam(lr=LEARNING_RATE),
        AdaGrad(lr=2 * LEARNING_RATE),
    ],
    start=(-1.0, 1e-3),
    steps=100,
    goal=(0.0, 1.8),
    goal_radius=0.3,
    title="Saddle x² − y²: GD stalls, adaptive methods escape at once",
)

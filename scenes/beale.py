"""Beale's function: one learning rate cannot suit both its steep walls and flat floor.

f runs from 0 at the minimum (3, 0.5) to about 180 000 in the corners of the board,
so the contours are log-spaced: dense lines are steep walls, wide pale bands are nearly
flat. At the start (1.5, 2) f = 227 and the gradient is (230, 562); on the valley
floor near (2, 0.2) it is about (−1.3, −0.4).

GD with lr = 0.001 slides down the wall and then crawls along the floor, about 0.002
per step: after 300 steps it is at (2.05, 0.16), f = 0.46. Ten times that rate is
already too much: GD lr = 0.01 jumps 6 units on its first step, lands on a steep wall
at (−0.80, −3.63) and is thrown off the board: diverged at step 3. Momentum with
lr = 0.001 turns the huge first gradients into speed, coasts right past the valley
down to y ≈ −3.9, where the wall is steep, and flies off too: diverged at step 22.

RMSProp and Adam divide each step by the root-mean-square of recent gradients, so the
steep walls do not throw them off and the flat floor does not stall them: RMSProp
(lr = 0.1) arrives at step 97 and Adam (lr = 0.5, which swings wide on its momentum
before it settles into the valley) at step 147.
"""

from anim import Scene, surfaces
from anim.optimizers import GD, Adam, Momentum, RMSProp

scene = Scene(
    surface=surfaces.beale(),
    # The crawling GD last, so that it is drawn on top of the trails along the floor.
    optimizers=[
        GD(lr=0.01),
        Momentum(lr=0.001, momentum=0.9),
        RMSProp(lr=0.1),
        Adam(lr=0.5),
        GD(lr=0.001),
    ],
    start=(1.5, 2.0),
    steps=300,
    title="Beale: adaptive steps arrive, GD crawls or blows up",
)

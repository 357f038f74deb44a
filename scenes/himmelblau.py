"""Himmelblau's function: one start, and where a racer ends depends on how it moves.

f = (x² + y − 11)² + (x + y² − 7)² has four minima, all with f = 0 (the four stars),
and goal="any" counts an arrival at whichever one a racer reaches first: the finish
board says which. Everyone starts at (−0.27, −0.9), just above the local maximum
(−0.271, −0.923), where the slope is almost flat, so the first steps are tiny and what
matters is how each optimizer builds up speed.

GD (lr = 0.01) follows the slope wherever it leads: it rolls right, into the valley
at x ≈ 3.4, and down it to (3.58, −1.85), at step 37. Momentum with the same lr
and β = 0.9 gathers speed on the long slope, overshoots that valley (out to x = 4.45)
and is thrown up into the basin of (3, 2), where it settles at step 33. With β = 0.95
it carries even more speed: it swings past (3, 2) and across the top of the board, over
the ridge into the basin of (−2.81, 3.13), and arrives at step 51 after some sloshing.
Adam's first step is lr × the sign of the downhill direction in each coordinate, (+0.1,
+0.1), and it keeps that diagonal course, nearly straight to (3, 2), at step 30. The
fourth minimum, (−3.78, −3.28), lies on the other side of the local maximum: no one
starts out that way, so no one ends there.
"""

from anim import Scene, surfaces
from anim.optimizers import GD, Adam, Momentum

LEARNING_RATE = 0.01

scene = Scene(
    surface=surfaces.himmelblau(),
    optimizers=[
        GD(lr=LEARNING_RATE),
        Momentum(lr=LEARNING_RATE, momentum=0.9),
        Momentum(lr=LEARNING_RATE, momentum=0.95),
        Adam(lr=0.1),
    ],
    steps=150,
    goal="any",
    title="Himmelblau: one start, three different minima",
)

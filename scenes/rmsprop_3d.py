"""The showcase race on the surface itself: RMSProp vs AdaGrad in 3D.

The same four optimizers, the same learning rate (0.4) and the same valley
f = x²/20 + y² as rmsprop_vs_adagrad.py, drawn as a lit surface with the paths on it.
The valley's values span two decades, so its heights are log₁₀(f − min f + δ) (the
z axis says so): on a linear scale the floor, where the race is decided, would be a flat
sheet. The camera is the one anim picks: from above the goal's end of the valley,
looking back up it, no wall hides the start, the goal or any path. Momentum's zig-zags
climb the walls; AdaGrad is still creeping along the floor when RMSProp has long
arrived.
"""

from anim import Scene, surfaces
from anim.optimizers import GD, AdaGrad, Momentum, RMSProp

LEARNING_RATE = 0.4

scene = Scene(
    surface=surfaces.ravine(),
    optimizers=[
        GD(lr=LEARNING_RATE),
        Momentum(lr=LEARNING_RATE, momentum=0.9),
        AdaGrad(lr=LEARNING_RATE),
        RMSProp(lr=LEARNING_RATE, rho=0.9),
    ],
    start=(-7, 2),
    steps=150,
    title="Same learning rate: RMSProp arrives, AdaGrad creeps",
    view="3d",
)

"""Why RMSProp wins: the seed's race with the reasons drawn on it.

GD, Momentum, AdaGrad and RMSProp share one learning rate (0.4) on the ravine
f = x²/20 + y². AdaGrad and RMSProp are explained: at each head, the outlined arrow is the
step plain gradient descent would take (−lr·∇f), the solid arrow the step actually taken,
and the dashed box the per-axis step scale lr/√h. AdaGrad's h is the *sum* of every squared
gradient, so its box only shrinks and its steps along the flat floor die out; RMSProp's h
is a decaying average, so when the gradients get small its box grows back and it keeps
its stride. The panel below shows the same numbers for all four: each step's effective
learning rate |Δx|/|g| per axis (x solid, y dashed).
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
    title="Why RMSProp wins: AdaGrad's step scale only shrinks",
    explain=["AdaGrad", "RMSProp"],
    lr_panel=True,
)

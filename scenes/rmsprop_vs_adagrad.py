"""RMSProp vs AdaGrad: the comparison that started anim.

Four optimizers share one learning rate on the elongated valley f = x²/20 + y².
AdaGrad divides by the square root of *every* squared gradient it has seen, so its
steps keep shrinking and it is still creeping along the valley floor when the race
ends. RMSProp forgets old gradients (h = ρh + (1 − ρ)g²) and keeps its stride: it
reaches the goal first.
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
)

"""The benchmark race: the same scene, optimizers and settings as bench/baseline.py."""

from anim import Scene, surfaces
from anim.optimizers import GD, AdaGrad, Momentum, RMSProp

scene = Scene(
    surface=surfaces.ravine(),
    optimizers=[
        GD(lr=0.95),
        Momentum(lr=0.1, momentum=0.9),
        AdaGrad(lr=1.5),
        RMSProp(lr=0.15, rho=0.9),
    ],
    start=(-7, 2),
    steps=150,
    fps=30,
)

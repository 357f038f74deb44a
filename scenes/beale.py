"""Beale draft."""

from anim import Scene, surfaces
from anim.optimizers import GD, AdaGrad, Adam, Momentum, RMSProp

scene = Scene(
    surface=surfaces.beale(),
    optimizers=[
        GD(lr=1e-3),
        Momentum(lr=1e-3, momentum=0.9),
        AdaGrad(lr=1.0),
        RMSProp(lr=0.1),
        Adam(lr=0.5),
    ],
    start=(1.5, 2.0),
    steps=300,
    title="Beale: adaptive steps cross the plateau, GD crawls or blows up",
)

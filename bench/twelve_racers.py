"""Twelve optimizers for 3,000 steps on Rosenbrock's valley: the load test of the HTML
player (bench/page.py measures how smoothly it plays)."""

from anim import Scene, surfaces
from anim.optimizers import (
    GD,
    AdaDelta,
    AdaGrad,
    Adam,
    Adamax,
    AdamW,
    Momentum,
    NAdam,
    Nesterov,
    RAdam,
    RMSProp,
)

scene = Scene(
    surface=surfaces.rosenbrock(),
    optimizers=[
        GD(lr=1e-3),
        GD(lr=2e-4),
        Momentum(lr=1e-4, momentum=0.9),
        Nesterov(lr=1e-4, momentum=0.9),
        AdaGrad(lr=0.1),
        RMSProp(lr=1e-3),
        AdaDelta(lr=1.0),
        Adam(lr=1e-2),
        AdamW(lr=1e-2),
        NAdam(lr=1e-2),
        RAdam(lr=1e-2),
        Adamax(lr=1e-2),
    ],
    start=(-1.5, 2.0),
    steps=3000,
    loss_panel=True,
)

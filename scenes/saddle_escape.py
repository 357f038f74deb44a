"""Saddle draft."""

from anim import Scene, surfaces
from anim.optimizers import GD, AdaGrad, Adam, RMSProp

scene = Scene(
    surface=surfaces.saddle(),
    optimizers=[
        GD(lr=0.05),
        RMSProp(lr=0.05),
        Adam(lr=0.05),
        AdaGrad(lr=0.1),
    ],
    start=(-1.0, 1e-3),
    steps=100,
    goal=(0.0, 1.8),
    goal_radius=0.3,
    title="Saddle x² − y²: GD stalls at the saddle, adaptive methods escape",
)

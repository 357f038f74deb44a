"""Rosenbrock's valley in 3D and as contours, side by side, racing in lockstep.

The race of rosenbrock_valley.py (see its docstring for why GD crawls and Momentum and
Adam with β₂ = 0.9 arrive). The 3D view shows what the contour lines only suggest: the
banana-shaped valley is a deep, narrow trench (heights are log₁₀(f − min f + δ), since f
spans four decades), and every racer runs down its floor, where the walls' huge
gradients cancel out and only the floor's gentle slope is left.
"""

from anim import Scene, surfaces
from anim.optimizers import GD, Adam, Momentum

scene = Scene(
    surface=surfaces.rosenbrock(),
    optimizers=[
        Momentum(lr=1e-3, momentum=0.95),
        Adam(lr=0.1, betas=(0.9, 0.9)),
        Adam(lr=0.1),
        GD(lr=1e-3),
    ],
    steps=400,
    title="Rosenbrock in 3D and contours: GD crawls, momentum and Adam reach (1, 1)",
    view="both",
)

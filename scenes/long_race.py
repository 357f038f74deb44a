"""A 3,000-step race on Rosenbrock's valley, filmed in 12 seconds with --duration.

Rendered with `python -m anim render scenes/long_race.py --duration 12`: one frame per
9 steps, so 3,000 steps play in 11.2 s (plus the 2 s hold), while the trails still pass
through every step and the counter shows the real step numbers. Without --duration it
would be 3,001 frames, 100 s of GIF.

Every racer takes long here. Momentum (lr 0.001, β 0.9) and Adam at lr 0.1 reach (1, 1)
after about 560 steps; RMSProp and Adam at lr 0.01 take small, careful steps and need
about 2,100 and 2,200; plain GD at lr 0.001 is still crawling along the valley floor
when the 3,000 steps are over.
"""

from anim import Scene, surfaces
from anim.optimizers import GD, Adam, Momentum, RMSProp

scene = Scene(
    surface=surfaces.rosenbrock(),
    optimizers=[
        Momentum(lr=1e-3, momentum=0.9),
        Adam(lr=0.1),
        RMSProp(lr=0.01),
        Adam(lr=0.01),
        GD(lr=1e-3),
    ],
    steps=3000,
    title="3,000 steps on Rosenbrock in 12 seconds",
    loss_panel=True,
)

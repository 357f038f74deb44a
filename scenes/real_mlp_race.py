"""anim's own GD, Momentum and Adam racing on the slice of scenes/real_mlp.py: the loss of
the real MLP on the PCA plane of its three training runs, from where those runs started,
to the slice's lowest point (found numerically). Here the optimizers see only the plane."""

import real_mlp  # the trained runs and their slice: scenes/real_mlp.py, beside this file

from anim import Scene
from anim.optimizers import GD, Adam, Momentum

scene = Scene(
    surface=real_mlp.view.surface.replace(minimum="search"),
    start=real_mlp.view.start,
    # GD and Momentum as the real runs were trained; Adam's lr is per coordinate, so on
    # two coordinates 0.3 gives it about the stride 0.01 gave it on 2,594.
    optimizers=[GD(0.3), Momentum(0.3, momentum=0.9), Adam(0.3)],
    steps=150,
    fps=20,
    title="GD, Momentum and Adam racing on the slice itself",
)

"""Himmelblau's function from 256 starts: where each optimizer ends up, and how soon.

The racers of himmelblau.py, each from the same 16 × 16 grid of starts over the board
(the small rings), goal="any": thin trails in each racer's colour, and a scoreboard that
counts "255/256 arrived · median step 13" as the swarm comes in.

Far from the four minima Himmelblau's walls are steep (f reaches ~900 in the corners),
so GD at lr = 0.01 takes large first steps straight down into the nearest valley: all 256
starts arrive, median step 4, and each minimum collects the starts of its own quadrant
(66, 66, 62, 62). Momentum keeps the speed of those first steps: with β = 0.9 (median 13)
and 0.95 (median 19) many starts overshoot into a neighbouring basin, and one start of
each flies off the board (✗). Adam's first steps are lr × the sign of the slope, the
same diagonal length from everywhere, so it is the slowest (median 20) but never thrown.

`python -m anim basins scenes/himmelblau_swarm.py` maps this for every point of a
200 × 200 grid: GD's four basins meet at the ridges through the local maximum, Adam's
boundaries are turned along its diagonal first steps, and Momentum's basins are shattered
into fragments wherever its speed carries it over a ridge.
"""

from anim import Scene, starts, surfaces
from anim.optimizers import GD, Adam, Momentum

LEARNING_RATE = 0.01

scene = Scene(
    surface=surfaces.himmelblau(),
    optimizers=[
        GD(lr=LEARNING_RATE),
        Momentum(lr=LEARNING_RATE, momentum=0.9),
        Momentum(lr=LEARNING_RATE, momentum=0.95),
        Adam(lr=0.1),
    ],
    starts=starts.grid(16),
    steps=150,
    goal="any",
    title="Himmelblau from 256 starts: who gets there, and where",
)

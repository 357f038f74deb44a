"""Basin maps: each pixel is a start, coloured by the minimum it reached."""

import numpy as np

from anim import Scene, surfaces
from anim.basins import basin_maps
from anim.charts import NONE_COLOR, basin_pixels
from anim.optimizers import GD, Adam
from anim.race import simulate
from anim.starts import grid_points

from conftest import assert_one_error_line


def test_each_pixel_is_the_race_from_its_start():
    scene = Scene(
        surface=surfaces.himmelblau(), optimizers=[GD(lr=0.01), Adam(lr=0.1)], goal="any", steps=60
    )
    maps = basin_maps(scene, resolution=12)
    points = grid_points(scene.surface.bounds, 12).reshape(12, 12, 2)
    for basin, optimizer in zip(maps, scene.optimizers):
        assert basin.reached.shape == (12, 12)
        for row, col in [(0, 0), (3, 8), (11, 11), (6, 2)]:
            alone = simulate(
                scene.surface, [optimizer], start=tuple(points[row, col]), steps=60, goal="any"
            )
            arrived = alone.arrival_step[0]
            assert basin.arrival_step[row, col] == (-1 if arrived is None else arrived)
            if arrived is not None:
                assert scene.surface.minima[basin.reached[row, col]] == alone.arrived_at[0]
    # Rows go up in y: the bottom-left start is near (-3.78, -3.28), top-right near (3, 2).
    assert maps[0].reached[0, 0] == scene.surface.minima.index(
        min(scene.surface.minima, key=lambda m: m[0] + m[1])
    )


def test_pixels_colour_by_minimum_and_fade_with_steps():
    scene = Scene(surface=surfaces.himmelblau(), optimizers=[GD(lr=0.001)], goal="any", steps=40)
    basin = basin_maps(scene, resolution=10)[0]
    pixels = basin_pixels(basin)
    from matplotlib.colors import to_rgb

    none = basin.reached < 0
    assert none.any() and np.allclose(pixels[none], to_rgb(NONE_COLOR))
    fast = (basin.arrival_step >= 0) & (basin.arrival_step == basin.arrival_step[~none].min())
    slow = (basin.arrival_step >= 0) & (basin.arrival_step == basin.arrival_step.max())
    assert pixels[slow].mean() > pixels[fast].mean()  # paler: more steps


def test_basins_cli(write_scene, cli, tmp_path):
    path = write_scene("""
        from anim import Scene, surfaces
        from anim.optimizers import GD, Adam
        scene = Scene(surface=surfaces.himmelblau(), optimizers=[GD(lr=0.01), Adam(lr=0.1)],
                      goal="any", steps=50)
    """)
    out = tmp_path / "b.png"
    code, _, err = cli("basins", path, "-o", out, "--resolution", 30)
    assert code == 0, err
    import imageio.v3 as iio

    assert iio.imread(out).shape[0] > 300
    code, _, err = cli("basins", path, "-o", out, "--resolution", 0)
    assert code == 2
    assert_one_error_line(err, "Invalid resolution: 0")

"""Where an output came from: versions, the scene file's hash, the race's results."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from . import __version__


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _raced_libraries(optimizers) -> list[str]:
    """The optional libraries the race ran (from_torch, from_optax): their versions decide
    the paths as much as numpy's."""
    names: list[str] = []
    for optimizer in optimizers:
        names += [name for name in getattr(optimizer, "libraries", ()) if name not in names]
    return names


def scene_identity(scene) -> dict:
    return {"file": scene.source_path, "name": scene.name, "sha256": scene.source_sha256}


def provenance_comment(scene) -> str:
    """One line for a GIF comment or MP4 metadata: anim version and the scene's hash."""
    identity = scene_identity(scene)
    digest = identity["sha256"] or "unknown"
    source = Path(identity["file"]).name if identity["file"] else "built in Python"
    name = f" ({identity['name']})" if identity["name"] else ""
    return f"made with anim {__version__}; scene {source}{name}, sha256:{digest}"


def png_metadata(scene):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Software", f"anim {__version__}")
    info.add_text("Comment", provenance_comment(scene))
    return info


def describe(scene, result) -> dict:
    """The answer to "how was this made?": scene, versions and the race's results."""
    return {
        "anim": __version__,
        "scene": scene_identity(scene),
        "versions": {
            package: _version(package)
            for package in (
                "numpy",
                "matplotlib",
                "imageio",
                "imageio-ffmpeg",
                "pillow",
                *_raced_libraries(result.optimizers),
            )
        },
        "race": result.summary(),
    }

"""Exceptions anim raises on purpose; only the CLI turns them into exit codes."""


class AnimError(Exception):
    """Base class of every error anim reports to a user."""

    exit_code = 1


class SceneError(AnimError):
    """A scene file cannot be loaded or describes an invalid scene (exit status 2)."""

    exit_code = 2

    def __init__(self, path, message):
        self.path = str(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


class RequestError(AnimError):
    """The command-line request itself is invalid: output path, format, size... (exit status 2)."""

    exit_code = 2


class RenderError(AnimError):
    """Something failed while rendering or encoding (exit status 1)."""

    exit_code = 1

"""`anim doctor`, and MP4 output that fails loudly instead of falling back when ffmpeg
is missing."""

import stat

import imageio_ffmpeg

import anim.renderer

from conftest import assert_one_error_line, run_anim


def test_doctor_happy_path(cli):
    code, out, err = cli("doctor")
    assert code == 0, out + err
    assert "libx264" in out and "matplotlib" in out and "Pillow" in out
    assert "✗" not in out
    assert out.strip().splitlines()[-1] == "everything rendering needs works here"


def _no_ffmpeg():
    raise RuntimeError(
        "No ffmpeg exe could be found. Install ffmpeg on your system, "
        "or set the IMAGEIO_FFMPEG_EXE environment variable."
    )


def test_doctor_without_ffmpeg_says_what_to_do(cli, monkeypatch):
    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", _no_ffmpeg)
    code, out, err = cli("doctor")
    assert code == 1
    assert "Traceback" not in out + err
    ffmpeg = next(line for line in out.splitlines() if line.startswith("✗ ffmpeg:"))
    assert "pip install --force-reinstall imageio-ffmpeg" in ffmpeg
    assert "IMAGEIO_FFMPEG_EXE" in ffmpeg
    assert any(line.startswith("✗ MP4: skipped") for line in out.splitlines())
    assert "✓ matplotlib" in out and "✓ Pillow" in out
    assert "GIF/PNG output works" in out


def test_doctor_with_an_ffmpeg_lacking_libx264(cli, monkeypatch, tmp_path):
    fake = tmp_path / "ffmpeg"
    fake.write_text("#!/bin/sh\necho ' V..... mpeg4   MPEG-4 part 2'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", lambda: str(fake))
    code, out, _ = cli("doctor")
    assert code == 1
    line = next(line for line in out.splitlines() if line.startswith("✗ ffmpeg:"))
    assert "no libx264" in line and "IMAGEIO_FFMPEG_EXE" in line


def test_mp4_without_ffmpeg_fails_in_process_and_writes_nothing(
    cli, write_scene, tmp_path, monkeypatch
):
    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", _no_ffmpeg)

    def refuse(*args, **kwargs):
        raise AssertionError("rendering started without an encoder")

    monkeypatch.setattr(anim.renderer, "RaceFigure", refuse)
    out = tmp_path / "out"
    out.mkdir()
    code, _, err = cli("render", write_scene(), "-o", out / "race.mp4")
    assert code in (1, 2)
    assert_one_error_line(
        err, str(out / "race.mp4"), "MP4 needs ffmpeg with libx264", "anim doctor"
    )
    assert list(out.iterdir()) == []


def test_mp4_without_ffmpeg_fails_subprocess(write_scene, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    result = run_anim(
        "render",
        write_scene(),
        "-o",
        out / "race.mp4",
        "--size",
        "320x240",
        env={"IMAGEIO_FFMPEG_EXE": str(tmp_path / "no" / "ffmpeg")},
    )
    assert result.returncode in (1, 2)
    assert_one_error_line(result.stderr, "race.mp4", "MP4 needs ffmpeg", "cannot be run")
    assert list(out.iterdir()) == []


def test_doctor_with_an_ffmpeg_that_cannot_run(cli, monkeypatch, tmp_path):
    fake = tmp_path / "ffmpeg"
    fake.write_text("not a program")
    fake.chmod(0o644)  # no x bit: even root cannot execute it
    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", lambda: str(fake))
    code, out, _ = cli("doctor")
    assert code == 1
    assert "cannot be run" in out

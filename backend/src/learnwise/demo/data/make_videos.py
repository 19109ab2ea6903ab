"""Makes the demo courses' short videos and their WebVTT captions (a developer tool, not imported
by the application): slides drawn with Pillow, encoded with ffmpeg (H.264 in MP4, so every
browser plays them), with Spanish speech from espeak-ng for the language course.

The committed files in this folder came from this script; run it again only to change them:

    apt-get install ffmpeg espeak-ng fonts-dejavu-core
    uv run python src/learnwise/demo/data/make_videos.py

It prints each video's duration, which the course files state as ``duration_seconds``.
"""

# A local tool run by hand: its random numbers draw a chart, its commands are fixed, and its
# slides show real typography (en dashes, minus signs).
# ruff: noqa: S311, S603, S607, RUF001

import math
import random
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).parent
FONTS = Path("/usr/share/fonts/truetype/dejavu")
WIDTH, HEIGHT = 640, 360
FPS = 10

Draw = Callable[[ImageDraw.ImageDraw, float], None]  # a slide at a fraction 0..1 of its time


def font(size: int, *, mono: bool = False, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSansMono" if mono else "DejaVuSans"
    return ImageFont.truetype(str(FONTS / f"{name}{'-Bold' if bold else ''}.ttf"), size)


@dataclass
class Slide:
    seconds: float
    caption: str
    draw: Draw
    speech: Path | None = None


@dataclass(frozen=True)
class Palette:
    background: str
    accent: str
    text: str
    muted: str


def title_slide(palette: Palette, title: str, subtitle: str, seconds: float) -> Slide:
    def draw(canvas: ImageDraw.ImageDraw, _: float) -> None:
        canvas.rectangle((0, 0, WIDTH, 8), fill=palette.accent)
        canvas.text((40, 130), title, font=font(30, bold=True), fill=palette.text)
        canvas.text((40, 180), subtitle, font=font(18), fill=palette.muted)

    return Slide(seconds, f"{title}. {subtitle}", draw)


def caption_bar(canvas: ImageDraw.ImageDraw, palette: Palette, text: str) -> None:
    if font(16).getlength(text) > WIDTH - 48:
        raise ValueError(f"caption too long for the frame: {text!r}")
    canvas.rectangle((0, HEIGHT - 56, WIDTH, HEIGHT), fill=palette.accent)
    canvas.text((24, HEIGHT - 42), text, font=font(16), fill="#ffffff")


def heading(canvas: ImageDraw.ImageDraw, palette: Palette, text: str) -> None:
    canvas.text((32, 24), text, font=font(22, bold=True), fill=palette.text)


# ---------------------------------------------------------------------------------------------
# Python Basics: variables are names for values

PYTHON = Palette("#0f172a", "#2563eb", "#f8fafc", "#94a3b8")


def code_slide(title: str, lines: list[str], output: list[str], note: str, seconds: float) -> Slide:
    """Code typed out line by line over the first half of the slide, then its output."""

    def draw(canvas: ImageDraw.ImageDraw, t: float) -> None:
        heading(canvas, PYTHON, title)
        canvas.rounded_rectangle((32, 70, WIDTH - 32, 250), radius=8, fill="#1e293b")
        typed = int(min(1.0, t / 0.5) * sum(len(line) + 1 for line in lines))
        y = 86
        for line in lines:
            shown, typed = line[: max(0, typed)], typed - len(line) - 1
            canvas.text((48, y), shown, font=font(18, mono=True), fill="#e2e8f0")
            y += 28
        if t >= 0.55:
            for line in output:
                canvas.text((48, y + 6), line, font=font(18, mono=True), fill="#4ade80")
                y += 28
        caption_bar(canvas, PYTHON, note)

    return Slide(seconds, note, draw)


def names_slide(seconds: float) -> Slide:
    bindings = [("price", "4.5"), ("quantity", "3"), ("total", "13.5")]
    note = "Each name points at a value; the value knows its own type."

    def draw(canvas: ImageDraw.ImageDraw, t: float) -> None:
        heading(canvas, PYTHON, "Names point at values")
        shown = min(len(bindings), 1 + int(t * len(bindings) * 1.5))
        for row, (name, value) in enumerate(bindings[:shown]):
            y = 80 + row * 70
            canvas.text((60, y + 10), name, font=font(22, mono=True), fill=PYTHON.text)
            canvas.line((220, y + 24, 330, y + 24), fill=PYTHON.muted, width=3)
            canvas.polygon([(330, y + 16), (346, y + 24), (330, y + 32)], fill=PYTHON.muted)
            canvas.rounded_rectangle(
                (360, y, 520, y + 48), radius=6, outline=PYTHON.accent, width=3
            )
            canvas.text((380, y + 10), value, font=font(22, mono=True), fill=PYTHON.text)
        caption_bar(canvas, PYTHON, note)

    return Slide(seconds, note, draw)


def summary_slide(palette: Palette, title: str, points: list[str], seconds: float) -> Slide:
    def draw(canvas: ImageDraw.ImageDraw, t: float) -> None:
        heading(canvas, palette, title)
        shown = min(len(points), 1 + int(t * len(points) * 1.4))
        for row, point in enumerate(points[:shown]):
            canvas.text((48, 84 + row * 44), f"•  {point}", font=font(18), fill=palette.text)

    return Slide(seconds, f"{title}: " + " ".join(points), draw)


def python_video() -> list[Slide]:
    return [
        title_slide(PYTHON, "Variables are names for values", "Python Basics · Module 1", 4),
        code_slide(
            "Assignment",
            ["price = 4.50", "print(price)"],
            ["4.5"],
            "An assignment binds the name on the left to the value on the right.",
            7,
        ),
        code_slide(
            "The right-hand side comes first",
            ["quantity = 3", "total = price * quantity", "print(total)"],
            ["13.5"],
            "Python evaluates the expression, then binds the name to the result.",
            8,
        ),
        code_slide(
            "Rebinding a name",
            ["count = 1", "count = count + 1", "print(count)"],
            ["2"],
            "count + 1 uses the old value; then count names the new one.",
            8,
        ),
        names_slide(7),
        code_slide(
            "Every value has a type",
            ["print(type(total))", "print(type(quantity))", "print(type('hi'))"],
            ["<class 'float'>", "<class 'int'>", "<class 'str'>"],
            "Names have no type of their own: the value they point at does.",
            8,
        ),
        summary_slide(
            PYTHON,
            "Remember",
            [
                "name = expression binds a name to a value",
                "The right-hand side is evaluated first",
                "A name can be rebound at any time",
                "Values have types: int, float, str, ...",
            ],
            7,
        ),
    ]


# ---------------------------------------------------------------------------------------------
# Introduction to Statistics: seeing spread

STATS = Palette("#fffbeb", "#b45309", "#1c1917", "#78716c")


def _sample(mean: float, sd: float, n: int, seed: int) -> list[float]:
    generator = random.Random(seed)
    return [generator.gauss(mean, sd) for _ in range(n)]


def dot_rows_slide(seconds: float) -> Slide:
    tight = _sample(50, 5, 30, 1)
    wide = _sample(50, 15, 30, 2)
    note = "Both groups average 50, but group B is far more spread out."

    def x_of(value: float) -> float:
        return 60 + (value - 0) / 100 * (WIDTH - 120)

    def draw(canvas: ImageDraw.ImageDraw, t: float) -> None:
        heading(canvas, STATS, "Same mean, different spread")
        for row, (label, values, colour) in enumerate(
            [("A", tight, "#2563eb"), ("B", wide, "#dc2626")]
        ):
            y = 120 + row * 90
            canvas.line((60, y, WIDTH - 60, y), fill=STATS.muted, width=1)
            canvas.text((30, y - 10), label, font=font(18, bold=True), fill=STATS.text)
            shown = int(min(1.0, t / 0.6) * len(values))
            for value in values[:shown]:
                x = x_of(max(0, min(100, value)))
                canvas.ellipse((x - 5, y - 5, x + 5, y + 5), fill=colour)
        if t > 0.65:
            x = x_of(50)
            canvas.line((x, 90, x, 240), fill=STATS.text, width=2)
            canvas.text((x + 6, 244), "mean = 50", font=font(14), fill=STATS.text)
        for tick in range(0, 101, 25):
            canvas.text((x_of(tick) - 8, 262), str(tick), font=font(12), fill=STATS.muted)
        caption_bar(canvas, STATS, note)

    return Slide(seconds, note, draw)


def sd_band_slide(seconds: float) -> Slide:
    note = "The SD is the typical distance from the mean: 5 for A, 15 for B."

    def x_of(value: float) -> float:
        return 60 + value / 100 * (WIDTH - 120)

    def draw(canvas: ImageDraw.ImageDraw, t: float) -> None:
        heading(canvas, STATS, "One standard deviation either side")
        grow = min(1.0, t / 0.5)
        for row, (label, sd, colour) in enumerate([("A", 5, "#2563eb"), ("B", 15, "#dc2626")]):
            y = 120 + row * 90
            half = sd * grow
            canvas.rectangle((x_of(50 - half), y - 22, x_of(50 + half), y + 22), fill=colour)
            canvas.text((30, y - 10), label, font=font(18, bold=True), fill=STATS.text)
            if t > 0.5:
                canvas.text(
                    (x_of(50 + sd) + 10, y - 10), f"s = {sd}", font=font(16), fill=STATS.text
                )
        x = x_of(50)
        canvas.line((x, 90, x, 240), fill=STATS.text, width=2)
        caption_bar(canvas, STATS, note)

    return Slide(seconds, note, draw)


def histogram_slide(seconds: float) -> Slide:
    values = _sample(50, 10, 600, 3)
    bins = 24
    note = "Bell-shaped data: about 68% of values lie within 1 SD of the mean."

    def draw(canvas: ImageDraw.ImageDraw, t: float) -> None:
        heading(canvas, STATS, "600 values, one at a time")
        shown = values[: max(1, int(min(1.0, t / 0.7) * len(values)))]
        counts = [0] * bins
        for value in shown:
            index = int((value - 10) / 80 * bins)
            if 0 <= index < bins:
                counts[index] += 1
        width = (WIDTH - 120) / bins
        for index, count in enumerate(counts):
            x = 60 + index * width
            inside = 40 <= 10 + (index + 0.5) * 80 / bins <= 60
            colour = "#b45309" if inside and t > 0.75 else "#a8a29e"
            canvas.rectangle((x + 1, 270 - count * 2.2, x + width - 1, 270), fill=colour)
        canvas.line((60, 270, WIDTH - 60, 270), fill=STATS.text, width=1)
        if t > 0.75:
            share = sum(1 for v in values if 40 <= v <= 60) / len(values)
            canvas.text(
                (330, 80),
                f"within 1 SD (40–60): {share:.0%}",
                font=font(18, bold=True),
                fill=STATS.accent,
            )
        caption_bar(canvas, STATS, note)

    return Slide(seconds, note, draw)


def formula_slide(seconds: float) -> Slide:
    note = "Square the deviations, average them over n − 1, take the square root."

    def draw(canvas: ImageDraw.ImageDraw, t: float) -> None:
        heading(canvas, STATS, "The sample standard deviation")
        canvas.text((60, 110), "s = √( Σ (xᵢ − x̄)² / (n − 1) )", font=font(28), fill=STATS.text)
        if t > 0.35:
            canvas.text((60, 180), "data: 2, 4, 6   mean x̄ = 4", font=font(18), fill=STATS.muted)
        if t > 0.6:
            canvas.text(
                (60, 214),
                "deviations² : 4 + 0 + 4 = 8   →   s = √(8 / 2) = 2",
                font=font(18),
                fill=STATS.muted,
            )
        caption_bar(canvas, STATS, note)

    return Slide(seconds, note, draw)


def statistics_video() -> list[Slide]:
    return [
        title_slide(STATS, "Seeing spread", "Introduction to Statistics · Module 2", 4),
        dot_rows_slide(10),
        sd_band_slide(8),
        histogram_slide(10),
        formula_slide(9),
        summary_slide(
            STATS,
            "Remember",
            [
                "The mean says where the data is centred",
                "The standard deviation says how far it spreads",
                "Same mean does not mean same data",
                "Bell shape: ~68% within 1 SD, ~95% within 2 SD",
            ],
            7,
        ),
    ]


# ---------------------------------------------------------------------------------------------
# Spanish for Beginners: greetings, spoken

SPANISH = Palette("#fef2f2", "#b91c1c", "#1f2937", "#6b7280")

GREETINGS = [
    ("Hola.", "Hello.", "OH-lah"),
    ("Buenos días.", "Good morning.", "BWEH-nohs DEE-ahs"),
    ("Buenas tardes.", "Good afternoon.", "BWEH-nahs TAR-dehs"),
    ("Buenas noches.", "Good evening. / Good night.", "BWEH-nahs NOH-chehs"),
    ("¿Cómo estás?", "How are you? (informal)", "KOH-moh ehs-TAHS"),
    ("Muy bien, gracias. ¿Y tú?", "Very well, thanks. And you?", "mwee byehn GRAH-syahs"),
    ("Me llamo Ana.", "My name is Ana.", "meh YAH-moh AH-nah"),
    ("Mucho gusto.", "Nice to meet you.", "MOO-choh GOOS-toh"),
    ("Adiós. Hasta luego.", "Goodbye. See you later.", "ah-DYOHS AHS-tah LWEH-goh"),
]


def speak(text: str, target: Path) -> float:
    subprocess.run(["espeak-ng", "-v", "es", "-s", "130", "-w", str(target), text], check=True)
    with wave.open(str(target)) as audio:
        return audio.getnframes() / audio.getframerate()


def phrase_slide(spanish: str, english: str, hint: str, speech: Path, spoken: float) -> Slide:
    def draw(canvas: ImageDraw.ImageDraw, t: float) -> None:
        canvas.rectangle((0, 0, WIDTH, 8), fill=SPANISH.accent)
        canvas.text((40, 90), spanish, font=font(34, bold=True), fill=SPANISH.text)
        canvas.text((40, 150), hint, font=font(18, mono=True), fill=SPANISH.muted)
        if t > 0.3:
            canvas.text((40, 200), english, font=font(22), fill=SPANISH.accent)

    return Slide(round(spoken + 1.6, 1), f"{spanish} — {english}", draw, speech)


def spanish_video(workdir: Path) -> list[Slide]:
    slides = [title_slide(SPANISH, "Saludos: greetings", "Spanish for Beginners · Module 1", 3)]
    for number, (spanish, english, hint) in enumerate(GREETINGS):
        speech = workdir / f"phrase{number}.wav"
        slides.append(phrase_slide(spanish, english, hint, speech, speak(spanish, speech)))
    slides.append(
        summary_slide(
            SPANISH,
            "¡Muy bien!",
            [
                "Hola works any time of day",
                "días before noon, tardes until dark, noches after",
                "¿Cómo estás? to a friend, ¿Cómo está usted? to a stranger",
                "Me llamo ... to say your name",
            ],
            6,
        )
    )
    return slides


# ---------------------------------------------------------------------------------------------
# Rendering


def frames(slides: list[Slide], palette: Palette) -> Iterator[Image.Image]:
    for slide in slides:
        count = round(slide.seconds * FPS)
        for index in range(count):
            image = Image.new("RGB", (WIDTH, HEIGHT), palette.background)
            slide.draw(ImageDraw.Draw(image), index / max(1, count - 1))
            yield image


def timestamp(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes):02d}:{rest:06.3f}"


def captions(slides: list[Slide]) -> str:
    cues, start = ["WEBVTT", ""], 0.0
    for slide in slides:
        end = start + round(slide.seconds * FPS) / FPS
        cues += [f"{timestamp(start)} --> {timestamp(end)}", slide.caption, ""]
        start = end
    return "\n".join(cues)


def soundtrack(slides: list[Slide], target: Path) -> None:
    """The slides' speech, each at the start of its slide, silence elsewhere (22.05 kHz mono)."""
    rate = 22050
    pcm = bytearray()
    for slide in slides:
        length = round(slide.seconds * FPS) / FPS
        samples = bytearray(int(length * rate) * 2)
        if slide.speech is not None:
            with wave.open(str(slide.speech)) as audio:
                assert audio.getframerate() == rate and audio.getsampwidth() == 2
                spoken = audio.readframes(audio.getnframes())
            offset = int(0.3 * rate) * 2
            samples[offset : offset + len(spoken)] = spoken[: len(samples) - offset]
        pcm += samples
    with wave.open(str(target), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(pcm))


def encode(slides: list[Slide], palette: Palette, target: Path, workdir: Path) -> float:
    for number, image in enumerate(frames(slides, palette)):
        image.save(workdir / f"frame{number:05d}.png")
    command = ["ffmpeg", "-y", "-loglevel", "error", "-framerate", str(FPS)]
    command += ["-i", str(workdir / "frame%05d.png")]
    speech = any(slide.speech for slide in slides)
    if speech:
        soundtrack(slides, workdir / "speech.wav")
        command += ["-i", str(workdir / "speech.wav"), "-c:a", "aac", "-b:a", "24k", "-ac", "1"]
    command += ["-c:v", "libx264", "-preset", "veryslow", "-crf", "34", "-tune", "stillimage"]
    command += ["-pix_fmt", "yuv420p", "-movflags", "+faststart", "-map_metadata", "-1"]
    command += ["-fflags", "+bitexact", "-shortest" if speech else "-an", str(target)]
    subprocess.run(command, check=True)
    target.with_suffix(".en.vtt").write_text(captions(slides))
    return sum(round(slide.seconds * FPS) / FPS for slide in slides)


def main() -> None:
    for command in ("ffmpeg", "espeak-ng"):
        if shutil.which(command) is None:
            raise SystemExit(f"{command} is needed: apt-get install ffmpeg espeak-ng")
    jobs = [
        ("python-basics/variables.mp4", PYTHON, python_video),
        ("intro-statistics/seeing-spread.mp4", STATS, statistics_video),
        ("spanish-for-beginners/saludos.mp4", SPANISH, None),
    ]
    for path, palette, make in jobs:
        with tempfile.TemporaryDirectory() as directory:
            workdir = Path(directory)
            slides = make() if make is not None else spanish_video(workdir)
            target = HERE / path
            target.parent.mkdir(parents=True, exist_ok=True)
            seconds = encode(slides, palette, target, workdir)
            size = target.stat().st_size
            print(f"{path}: {math.ceil(seconds)} s, {size // 1024} KiB")


if __name__ == "__main__":
    main()

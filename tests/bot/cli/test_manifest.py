"""The Teams app package: valid against the official schema, right icons, three languages, never invalid."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.cli.manifest import (
    MANIFEST_DIR,
    ManifestInvalid,
    build_package,
    png_rgba_pixels,
    png_size,
    render_manifest,
    validate_with_bundled_schema,
    validate_with_schema,
)

ROOT = Path(__file__).resolve().parents[3]
APP_ID = "3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"
needs_node = pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules" / "@microsoft" / "app-manifest").is_dir(),
    reason="node and `npm ci` (@microsoft/app-manifest) are needed to validate against the official schema")


@pytest.fixture
def cli_env(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    for name in ("MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppType", "MicrosoftAppTenantId", "PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@needs_node
def test_build_writes_a_package_that_validates_with_right_icons_and_three_languages(cli_env, tmp_path, capsys):
    cli_env.setenv("MicrosoftAppId", APP_ID)
    cli_env.setenv("MicrosoftAppPassword", "secret")
    cli_env.setenv("PUBLIC_URL", "https://samarbeidsbot.example.no")
    out = tmp_path / "app.zip"

    assert main(["manifest", "build", "--out", str(out), "--version", "1.4.2"]) == 0
    assert "wrote" in capsys.readouterr().out

    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        files = {n: json.loads(archive.read(n)) for n in ("nn.json", "nb.json", "en.json")}
        color, outline = archive.read(manifest["icons"]["color"]), archive.read(manifest["icons"]["outline"])
    assert names == {"manifest.json", "nn.json", "nb.json", "en.json", "color.png", "outline.png"}
    assert manifest["id"] == manifest["bots"][0]["botId"] == APP_ID
    assert manifest["version"] == "1.4.2"
    assert manifest["validDomains"] == ["samarbeidsbot.example.no"]
    assert manifest["developer"]["privacyUrl"].startswith("https://samarbeidsbot.example.no/")
    assert set(manifest["bots"][0]["scopes"]) == {"personal", "team", "groupChat"}
    # the packaged files validate again, independently of the build, against the bundled schema
    assert validate_with_schema(manifest, files).startswith("v1.")

    assert png_size(color) == (192, 192)
    assert png_size(outline) == (32, 32)
    pixels = png_rgba_pixels(outline)
    assert all((r, g, b) == (255, 255, 255) for r, g, b, a in pixels if a)  # white …
    assert any(a == 0 for *_, a in pixels)  # … on transparent

    languages = manifest["localizationInfo"]
    assert languages["defaultLanguageTag"].startswith("nn")
    assert {x["languageTag"][:2] for x in languages["additionalLanguages"]} == {"nb", "en"}


def test_every_command_in_every_scope_is_translated(tmp_path):
    template = json.loads((MANIFEST_DIR / "manifest.template.json").read_text(encoding="utf-8"))
    lists = template["bots"][0]["commandLists"]
    assert {scope for cl in lists for scope in cl["scopes"]} == {"personal", "team", "groupChat"}
    expected = {f"bots[0].commandLists[{i}].commands[{j}].{field}"
                for i, command_list in enumerate(lists) for j in range(len(command_list["commands"]))
                for field in ("title", "description")}
    titles = {}
    for name in ("nn.json", "nb.json", "en.json"):
        strings = json.loads((MANIFEST_DIR / name).read_text(encoding="utf-8"))
        assert {k for k in strings if k.startswith("bots[")} == expected, name  # none missing, none stray
        assert all(strings[k].strip() for k in expected), name
        titles[name] = strings["bots[0].commandLists[0].commands[0].title"]
    assert titles == {"nn.json": "hjelp", "nb.json": "hjelp", "en.json": "help"}
    # the default language strings in the manifest are the Nynorsk file's
    nn = json.loads((MANIFEST_DIR / "nn.json").read_text(encoding="utf-8"))
    assert template["name"]["short"] == nn["name.short"]
    assert template["description"]["short"] == nn["description.short"]


def test_missing_app_id_is_a_clear_usage_error_and_writes_nothing(cli_env, tmp_path, capsys):
    out = tmp_path / "app.zip"
    assert main(["manifest", "build", "--out", str(out)]) == 2
    assert "MicrosoftAppId is not set" in capsys.readouterr().err
    assert not out.exists()


def _broken_copy(tmp_path: Path, edit) -> Path:
    folder = tmp_path / "manifest"
    shutil.copytree(MANIFEST_DIR, folder)
    template = json.loads((folder / "manifest.template.json").read_text(encoding="utf-8"))
    edit(template, folder)
    (folder / "manifest.template.json").write_text(json.dumps(template, ensure_ascii=False), encoding="utf-8")
    return folder


@needs_node
def test_an_invalid_manifest_is_never_written_and_an_old_package_survives(tmp_path):
    def break_it(template, folder):
        template["name"]["short"] = "Samarbeidsbot for alle kommunane i Vestland"  # > 30 characters
        template["bots"][0]["scopes"].append("everyone")

    folder = _broken_copy(tmp_path, break_it)
    out = tmp_path / "app.zip"
    out.write_bytes(b"the previous, good package")
    with pytest.raises(ManifestInvalid) as caught:
        build_package(out, app_id=APP_ID, version="1.0.0", folder=folder)
    problems = "\n".join(caught.value.problems)
    assert "/name/short" in problems and "/bots/0/scopes" in problems
    assert out.read_bytes() == b"the previous, good package"
    assert not list(tmp_path.glob(".app-*"))  # no half-written temp file left behind


def test_without_node_the_bundled_schema_validates_the_package_and_refuses_the_same_faults(tmp_path):
    """What an installed wheel or the container does (no node, no node_modules): the same official
    schema files, shipped as package data, accept the real template and refuse a broken one."""
    good = render_manifest((MANIFEST_DIR / "manifest.template.json").read_text(encoding="utf-8"),
                           app_id=APP_ID, version="1.0.0")
    files = {name: json.loads((MANIFEST_DIR / name).read_text(encoding="utf-8"))
             for name in ("nn.json", "nb.json", "en.json")}
    assert validate_with_bundled_schema(good, files) == "v1.25"

    bad = json.loads(json.dumps(good))
    bad["name"]["short"] = "Samarbeidsbot for alle kommunane i Vestland"  # > 30 characters
    bad["bots"][0]["scopes"].append("everyone")
    files["en.json"]["bots[0].commandLists[0].commands[0].titel"] = "help"
    with pytest.raises(ManifestInvalid) as caught:
        validate_with_bundled_schema(bad, files)
    problems = "\n".join(caught.value.problems)
    assert "manifest.json /name/short" in problems and "manifest.json /bots/0/scopes" in problems
    assert "en.json" in problems


@needs_node
def test_a_wrong_translation_key_fails_validation(tmp_path):
    folder = _broken_copy(tmp_path, lambda template, folder: None)
    en = json.loads((folder / "en.json").read_text(encoding="utf-8"))
    en["bots[0].commandLists[0].commands[0].titel"] = "help"
    (folder / "en.json").write_text(json.dumps(en), encoding="utf-8")
    with pytest.raises(ManifestInvalid, match="en.json"):
        build_package(tmp_path / "app.zip", app_id=APP_ID, version="1.0.0", folder=folder)
    assert not (tmp_path / "app.zip").exists()


def test_icons_of_the_wrong_size_or_colour_are_refused(tmp_path):
    def swap_icons(template, folder):
        shutil.copyfile(folder / "outline.png", folder / "small.png")
        template["icons"]["color"] = "small.png"  # 32×32 where 192×192 is needed
        template["icons"]["outline"] = "color.png"  # coloured, opaque corners, wrong size

    folder = _broken_copy(tmp_path, swap_icons)
    with pytest.raises(ManifestInvalid) as caught:
        build_package(tmp_path / "app.zip", app_id=APP_ID, version="1.0.0", folder=folder)
    problems = "\n".join(caught.value.problems)
    assert "192×192" in problems and "32×32" in problems and "white on transparent" in problems
    assert not (tmp_path / "app.zip").exists()


@needs_node
def test_build_needs_only_the_app_id_not_its_secret(cli_env, tmp_path, capsys):
    cli_env.setenv("MicrosoftAppId", APP_ID)
    cli_env.setenv("MicrosoftAppType", "SingleTenant")
    cli_env.setenv("MicrosoftAppTenantId", "4d6f3c2a-1b2c-4d5e-8f90-a1b2c3d4e5f6")
    out = tmp_path / "app.zip"
    assert main(["manifest", "build", "--out", str(out)]) == 0, capsys.readouterr()
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["bots"][0]["botId"] == APP_ID
    assert "secret" not in json.dumps(manifest)


@needs_node
def test_one_package_per_registration_each_with_its_own_app_id(cli_env, tmp_path, capsys):
    tenants = ("4d6f3c2a-1b2c-4d5e-8f90-a1b2c3d4e5f6", "b0b0b0b0-1111-4222-8333-444455556666")
    apps = ("a1a1a1a1-0000-4000-8000-000000000001", "b2b2b2b2-0000-4000-8000-000000000002")
    cli_env.setenv("BOT_REGISTRATIONS", json.dumps([  # no secrets: the packages never hold them
        {"name": "Alver kommune", "app_id": apps[0], "tenant_id": tenants[0], "password_env": "UNSET_SECRET"},
        {"name": "Bergen", "app_id": apps[1], "tenant_id": tenants[1], "type": "UserAssignedMSI"}]))
    assert main(["manifest", "build", "--out", str(tmp_path / "app.zip")]) == 0, capsys.readouterr()
    built = {}
    for name in ("app-alver-kommune.zip", "app-bergen.zip"):
        with zipfile.ZipFile(tmp_path / name) as archive:
            manifest = json.loads(archive.read("manifest.json"))
        built[name] = (manifest["id"], manifest["bots"][0]["botId"])
    assert built == {"app-alver-kommune.zip": (apps[0], apps[0]), "app-bergen.zip": (apps[1], apps[1])}
    assert not (tmp_path / "app.zip").exists()

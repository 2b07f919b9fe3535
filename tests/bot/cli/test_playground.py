"""The local Teams client's config: demo people the bot recognises, in the shape the Playground accepts."""

from __future__ import annotations

import pytest
import yaml

from bot.cli.playground import PlaygroundError, write_config

TENANT = "4d6f3c2a-1b2c-4d5e-8f90-a1b2c3d4e5f6"


async def test_config_has_director_secretariat_chair_observer_with_their_ids(db, tmp_path):
    path, current = await write_config(db, tmp_path, network_slug="digivestland", who="director")
    config = yaml.safe_load(path.read_text(encoding="utf-8"))

    assert config["tenantId"] == TENANT
    assert config["currentUser"]["aadObjectId"] == "00000000-0000-0000-0000-000000000001"
    assert config["currentUser"]["name"] == current.name == "Ingrid Haugland"
    by_aad = {u["aadObjectId"]: u["name"] for u in config["users"]}
    assert by_aad["00000000-0000-0000-0000-000000000002"] == "Eirik Nesheim"  # secretariat
    assert by_aad["00000000-0000-0000-0000-000000000003"] == "Sigurd Vikøren"  # chair
    assert by_aad["00000000-0000-0000-0000-000000000004"] == "Kari Vangsnes"  # observer (KS)
    assert len(config["users"]) == 5  # the Playground's schema demands exactly five
    ids = [config["currentUser"]["id"], *(u["id"] for u in config["users"])]
    assert len(set(ids)) == len(ids)
    assert all(u["email"] and "@" in u["email"] for u in config["users"])


async def test_current_user_can_be_the_chair_and_a_wrong_choice_is_refused(db, tmp_path):
    path, current = await write_config(db, tmp_path, network_slug="digivestland", who="chair")
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert config["currentUser"]["aadObjectId"] == "00000000-0000-0000-0000-000000000003"
    assert "00000000-0000-0000-0000-000000000001" in {u["aadObjectId"] for u in config["users"]}

    with pytest.raises(PlaygroundError, match="PLAYGROUND_USER='kongen'"):
        await write_config(db, tmp_path, network_slug="digivestland", who="kongen")
    with pytest.raises(PlaygroundError, match="unknown network"):
        await write_config(db, tmp_path, network_slug="ingen", who="director")


async def test_a_small_network_gets_its_demo_people_and_unknown_guests(db, tmp_path):
    """DigIT has three demo directors and no demo secretariat: the Playground still starts."""
    path, current = await write_config(db, tmp_path, network_slug="digit-midt-buskerud", who="dit-direktor-modum")
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert current.key == "dit-direktor-modum"
    names = [u["name"] for u in config["users"]]
    assert len(names) == 5 and sum(n.startswith("Gjest") for n in names) >= 1
    ids = [config["currentUser"]["id"], *(u["id"] for u in config["users"])]
    assert len(set(ids)) == len(ids)


async def test_any_demo_person_can_be_the_current_user(db, tmp_path):
    path, current = await write_config(db, tmp_path, network_slug="digivestland", who="dv-nordhordland")
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert current.name == config["currentUser"]["name"] == "Marianne Sæbø"
    assert len(config["users"]) == 5
    names = {u["name"] for u in config["users"]}
    assert {"Ingrid Haugland", "Eirik Nesheim", "Sigurd Vikøren", "Kari Vangsnes"} <= names  # the roles stay

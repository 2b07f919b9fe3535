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


async def test_a_person_key_of_another_network_switches_to_that_network(db, tmp_path):
    """PLAYGROUND_USER=dit-direktor-modum with DEFAULT_NETWORK=digivestland: Modum's network is used."""
    path, current = await write_config(db, tmp_path, network_slug="digivestland", who="dit-direktor-modum")
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert current.key == "dit-direktor-modum" and current.network == "digit-midt-buskerud"
    assert config["currentUser"]["name"] == current.name
    assert "digit-midt-buskerud" in config["groupChat"]["id"]


async def test_a_person_beyond_the_first_six_of_a_network_can_be_the_current_user(db, tmp_path):
    from sqlalchemy import select

    from storage.models import Network, Person

    async with db.session() as session:
        await db.ensure_ready()
        dv = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        keys = (await session.scalars(select(Person.key).where(Person.network_id == dv.id, Person.demo.is_(True))
                                      .order_by(Person.id))).all()
    first_six = {u["id"][3:] for u in [*yaml.safe_load((await write_config(
        db, tmp_path, network_slug="digivestland", who="director"))[0].read_text())["users"]]}
    beyond = next(k for k in keys if k not in first_six and k != "dv-direktor-alver")
    _path, current = await write_config(db, tmp_path, network_slug="digivestland", who=beyond)
    assert current.key == beyond


def test_the_playground_is_bound_to_loopback():
    """The Playground has no address option: a preload binds servers started with a bare port to 127.0.0.1."""
    import shutil
    import subprocess

    from bot.cli.playground import LOOPBACK_PRELOAD

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = ("const s=require('http').createServer();s.listen(0,()=>{console.log(s.address().address);s.close()})")
    out = subprocess.run([node, "--require", str(LOOPBACK_PRELOAD), "-e", script], capture_output=True, text=True,
                         timeout=30)
    assert out.stdout.strip() == "127.0.0.1", out.stderr
    bare = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=30)
    assert bare.stdout.strip() != "127.0.0.1"  # without the preload: every interface

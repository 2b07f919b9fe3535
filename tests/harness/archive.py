"""Helpers for the archive tests: the official Fiks Arkiv v2 schemas from ../shared/standards."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

SCHEMAS = Path(__file__).resolve().parents[2].parent / "shared" / "standards" / "fiks-arkiv-v2"


def arkivmelding_schema() -> etree.XMLSchema:
    """The arkivmelding (opprett) schema every exported message must validate against."""
    xsd = SCHEMAS / "no.ks.fiks.arkiv.v2.arkivering.arkivmelding.opprett.xsd"
    assert xsd.exists(), f"the official Fiks Arkiv schemas are missing: {xsd}"
    return etree.XMLSchema(etree.parse(str(xsd)))

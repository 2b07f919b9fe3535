"""The side folders of the data (data/portfolio/, data/accessions/) are read one way: duplicate keys are
refused with their line, a file that is not a mapping is named, and nothing else is read."""

from __future__ import annotations

import pytest

from storage.agreements_data import AccessionsFile, accession_files
from storage.validate import read_side_files


@pytest.fixture
def data(tmp_path):
    (tmp_path / "accessions").mkdir()
    return tmp_path


def test_a_key_given_twice_in_an_accessions_file_is_refused_with_its_line(data):
    bad = data / "accessions" / "dv.yaml"
    bad.write_text("network: digivestland\nagreement: a\nversion: v\nversion: w\n", encoding="utf-8")
    out, problems = read_side_files(accession_files(data), AccessionsFile, lambda doc: [])
    assert out == [] and len(problems) == 1
    assert "dv.yaml" in problems[0] and "line 4" in problems[0] and "version" in problems[0]


def test_a_file_that_is_no_mapping_and_a_field_of_the_wrong_kind_are_named(data):
    (data / "accessions" / "a.yaml").write_text("- just a list\n", encoding="utf-8")
    (data / "accessions" / "b.yaml").write_text("network: Not A Slug!\nagreement: a\nversion: v\n", encoding="utf-8")
    (data / "accessions" / "_draft.yaml").write_text("ignored: true\n", encoding="utf-8")
    out, problems = read_side_files(accession_files(data), AccessionsFile, lambda doc: [])
    assert out == []
    assert any("a.yaml: (top)" in p for p in problems)
    assert any("b.yaml: network" in p for p in problems)
    assert not any("_draft" in p for p in problems)


def test_a_valid_file_is_read_and_checked_against_the_networks(data):
    (data / "accessions" / "ok.yaml").write_text("network: digivestland\nagreement: a\nversion: v\n", encoding="utf-8")
    out, problems = read_side_files(accession_files(data), AccessionsFile, lambda doc: ["version: unknown"])
    assert out == [] and problems == [f"{data / 'accessions' / 'ok.yaml'}: version: unknown"]
    out, problems = read_side_files(accession_files(data), AccessionsFile, lambda doc: [])
    assert [doc.network for _, doc in out] == ["digivestland"] and problems == []

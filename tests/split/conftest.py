"""Split fixtures: a SplitFactory and a three-payee split (50% / 33.33% / 16.67%) of two creators
and a fan (the named roles of tests/conftest.py). Fixture names are unique in the suite."""

import pytest
from split_helpers import split_of


@pytest.fixture(scope="module")
def split_maker(project, owner):
    return owner.deploy(project.SplitFactory)


@pytest.fixture(scope="session")
def split_payees(creators, fans):
    """A band: two creators and a fan who helps them, in share order 50% / 33.33% / 16.67%."""
    return [creators[0], creators[1], fans[2]]


@pytest.fixture
def band_split(project, split_maker, split_payees, owner):
    return split_of(project, split_maker.createSplit(split_payees, [5000, 3333, 1667], sender=owner))

"""Split fixtures: a SplitFactory and a three-payee split (50% / 33.33% / 16.67%).

Names are unique to this area (not `split_factory`, which tests/jar also defines), so that no
session fixture is shared between areas.
"""

import pytest
from split_helpers import split_of


@pytest.fixture(scope="session")
def split_maker(project, owner):
    return owner.deploy(project.SplitFactory)


@pytest.fixture
def band(accounts):
    return [accounts[5], accounts[6], accounts[7]]


@pytest.fixture
def band_split(project, split_maker, band, owner):
    return split_of(project, split_maker.createSplit(band, [5000, 3333, 1667], sender=owner))

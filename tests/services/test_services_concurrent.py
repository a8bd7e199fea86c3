"""Two (here eight) identical signed tips posted at the same moment over real HTTP: each answer is
the idempotent one (202, the same id, one accepted and the others `duplicate`), never a 409 for a
clash with itself or a 500 from the unique key; one row is queued."""

import sqlalchemy as sa
from svc_helpers import tip_body
from svc_http import post_at_once

from fairgift.bench.harness import serving
from fairgift.relayer.store import relay_tips
from fairgift.web.app import create_app
from tests.constants import USDC

POSTS = 8


def test_identical_tips_at_the_same_moment_answer_the_idempotent_answer(
    svc_service, svc_fg, svc_new_fan, svc_domain, creators
):
    fan = svc_new_fan()
    body = tip_body(fan, svc_domain, creators[0].address, svc_fg.usdc.address, USDC, "at once", nonce=7)
    rounds = []
    with serving(create_app(svc_service)) as url:
        for _round in range(3):  # the race is a matter of timing: run it a few times
            answers = post_at_once(url + "/api/tips", body, POSTS)
            assert [status for status, _ in answers] == [202] * POSTS, answers
            assert len({answer["id"] for _, answer in answers}) == 1, answers
            rounds.append(sum(1 for _, answer in answers if not answer.get("duplicate")))
    assert rounds == [1, 0, 0], rounds  # accepted once; every other post is the same tip again
    with svc_service.db.read() as conn:
        rows = conn.execute(sa.select(sa.func.count()).select_from(relay_tips)).scalar_one()
    assert rows == 1

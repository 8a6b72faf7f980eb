"""Mentions, following and the fan-out of notifications (domain functions,
no HTTP): who is told of what, and who never is."""

from __future__ import annotations

import pytest

from board.admin.services import set_board_role
from board.auth.accounts import deactivate_user
from board.comments.services import add_comment, edit_comment, redact_comment
from board.editing.services import archive_initiative, update_initiative
from board.errors import Refused
from board.extensions import db
from board.moves.services import move_initiative
from board.notifications import inbox, settings
from board.notifications.following import is_following, set_following
from board.notifications.mentions import display_text, encode_mentions, mentioned_ids
from board.notifications.models import NotificationSetting
from board.query_counter import count_queries
from tests import factories
from tests.notify_helpers import notes_of, notify_world


@pytest.fixture
def world(app):
    return notify_world()


def comment(world, author, body, mentions=()):
    made = add_comment(world.card, actor=author, body=body, mentions=mentions)
    db.session.commit()
    return made


def test_a_mention_is_stored_as_a_reference_and_shown_with_the_current_name(world):
    made = comment(world, world.med, "Kan @Lone Leder se på det?", mentions=[world.leder.id])
    assert made.body == f"Kan @[user:{world.leder.id}] se på det?"
    assert mentioned_ids(made.body) == [world.leder.id]
    world.leder.name = "Lone Lederdatter"
    db.session.commit()
    with world_request():
        assert display_text(made.body) == "Kan @Lone Lederdatter se på det?"


def world_request():
    from flask import current_app

    return current_app.test_request_context()


def test_mentioning_someone_without_access_is_refused_in_danish(world):
    with pytest.raises(Refused) as refused:
        encode_mentions(world.board.id, "Hej @Ulla Udenfor", [world.outsider.id])
    assert refused.value.status == 422
    assert "Ulla Udenfor" in refused.value.message
    assert "adgang til tavlen" in refused.value.message
    # A typed token is checked the same way, and so is a deactivated member.
    with pytest.raises(Refused):
        encode_mentions(world.board.id, f"Hej @[user:{world.outsider.id}]", [])
    deactivate_user(world.med2)
    db.session.commit()
    with pytest.raises(Refused):
        encode_mentions(world.board.id, "Hej @Mette Med", [world.med2.id])


def test_a_mention_notifies_the_mentioned_user_once_and_never_the_author(world):
    comment(world, world.med, "@Lone Leder se her", mentions=[world.leder.id])
    notes = notes_of(world.leder)
    assert [(n.category, n.delivery) for n in notes] == [("mention", "instant")]
    assert notes_of(world.med) == []
    # Author and mentioned user now follow the card.
    assert is_following(world.card, world.med)
    assert is_following(world.card, world.leder)


def test_followers_hear_of_comments_moves_status_and_archiving_but_not_their_own(world):
    set_following(world.card, world.med2, True)
    set_following(world.card, world.leder, True)
    db.session.commit()
    comment(world, world.med, "En kommentar")
    update_initiative(
        world.card, expected_version=world.card.version, actor=world.leder, status_note="I gang"
    )
    db.session.commit()
    update_initiative(
        world.card, expected_version=world.card.version, actor=world.leder, title="Ny titel"
    )
    db.session.commit()  # a title change is not a followed kind
    move_initiative(
        world.card, stage="igangsat", position=0, version=world.card.version, actor=world.leder
    )
    db.session.commit()
    archive_initiative(world.card, expected_version=world.card.version, actor=world.leder)
    db.session.commit()
    assert [n.category for n in notes_of(world.med2)] == ["comment", "status", "move", "archive"]
    # MED members get a daily digest by default, leaders the app.
    assert {n.delivery for n in notes_of(world.med2)} == {"daily"}
    # The leader hears of the comment only (the rest were their own doing).
    assert [(n.category, n.delivery) for n in notes_of(world.leder)] == [("comment", "app")]
    # The commenter follows now and hears of the leader's changes.
    assert [n.category for n in notes_of(world.med)] == ["status", "move", "archive"]


def test_unfollowing_stops_notifications(world):
    set_following(world.card, world.med2, True)
    db.session.commit()
    set_following(world.card, world.med2, False)
    db.session.commit()
    comment(world, world.med, "Hej")
    assert notes_of(world.med2) == []


def test_a_user_removed_from_the_board_or_deactivated_is_told_nothing(world):
    set_following(world.card, world.med2, True)
    set_following(world.card, world.leder, True)
    db.session.commit()
    set_board_role(world.med2, world.board, None)
    deactivate_user(world.leder)
    db.session.commit()
    comment(world, world.med, "Hej")
    assert notes_of(world.med2) == []
    assert notes_of(world.leder) == []


def test_a_notification_from_a_board_the_user_left_is_no_longer_shown(world, app):
    set_following(world.card, world.med2, True)
    db.session.commit()
    comment(world, world.med, "Hej")
    assert inbox.unread_count(world.med2) == 1
    set_board_role(world.med2, world.board, None)
    db.session.commit()
    assert inbox.unread_count(world.med2) == 0
    with app.test_request_context():
        assert inbox.list_for(world.med2) == []


def test_off_means_no_notification_and_a_choice_beats_the_default(world):
    set_following(world.card, world.med2, True)
    db.session.add(NotificationSetting(user_id=world.med2.id, category="comment", delivery="off"))
    db.session.add(NotificationSetting(user_id=world.med2.id, category="move", delivery="instant"))
    db.session.commit()
    comment(world, world.med, "Hej")
    move_initiative(
        world.card, stage="igangsat", position=0, version=world.card.version, actor=world.leder
    )
    db.session.commit()
    assert [(n.category, n.delivery) for n in notes_of(world.med2)] == [("move", "instant")]


def test_the_list_never_shows_a_redacted_comments_text(world, app):
    admin = factories.make_user("admin@example.dk", name="Ada Admin", is_admin=True)
    made = comment(world, world.med, "Hemmelig tekst om @Lone Leder", mentions=[world.leder.id])
    with app.test_request_context():
        shown = inbox.list_for(world.leder)
        assert "Hemmelig tekst om @Lone Leder" in shown[0].excerpt
        assert shown[0].text == "Mads Med nævnte dig i en kommentar på «Ny takstmodel for STU»"
    redact_comment(made, actor=admin, reason="Persondata")
    db.session.commit()
    with app.test_request_context():
        shown = inbox.list_for(world.leder)
        assert shown[0].excerpt == ""
        assert "Hemmelig" not in repr(shown)


def test_edit_keeps_mentions_and_refuses_new_ones_without_access(world):
    made = comment(world, world.med, "@Lone Leder hej", mentions=[world.leder.id])
    edit_comment(made, actor=world.med, body="@Lone Leder hej igen", mentions=[world.leder.id])
    db.session.commit()
    assert made.body == f"@[user:{world.leder.id}] hej igen"
    with pytest.raises(Refused):
        edit_comment(made, actor=world.med, body="@Ulla Udenfor", mentions=[world.outsider.id])


def test_fan_out_to_many_followers_is_a_fixed_number_of_queries(world):
    def queries_for_comment(n_followers: int) -> int:
        card = factories.make_initiative(world.board, f"Kort {n_followers}")
        for i in range(n_followers):
            user = factories.make_user(
                f"f{n_followers}-{i}@example.dk", board=world.board, role="med"
            )
            set_following(card, user, True)
        db.session.commit()
        with count_queries(db.engine) as counter:
            add_comment(card, actor=world.leder, body="Hej alle")
            db.session.commit()
        assert len(notes_of(user)) == 1
        return counter.count

    assert queries_for_comment(3) == queries_for_comment(40)


def test_unsubscribe_stops_the_named_kind_only(world, app):
    with app.test_request_context():
        key = settings.unsubscribe_key(world.med.id, "daily")
        user, kind = settings.read_unsubscribe_key(key)
        assert (user.id, kind) == (world.med.id, "daily")
        settings.unsubscribe(user, kind)
        db.session.commit()
        choices = settings.current_choices(world.med)
        assert "daily" not in choices.values()
        assert choices["mention"] == "instant"  # the leader's default, not a digest
        key = settings.unsubscribe_key(world.leder.id, "mention")
        settings.unsubscribe(*settings.read_unsubscribe_key(key))
        db.session.commit()
        assert settings.current_choices(world.leder)["mention"] == "app"
        assert settings.current_choices(world.leder)["comment"] == "app"
        with pytest.raises(Refused) as refused:
            settings.read_unsubscribe_key(key[:-2] + "xx")
        assert refused.value.status == 404


def test_the_owner_follows_their_tiltag_until_they_choose_not_to(world):
    owned = factories.make_initiative(world.board, "Ejet tiltag", owner_id=world.leder.id)
    assert is_following(owned, world.leder)
    add_comment(owned, actor=world.med, body="Til ejeren")
    db.session.commit()
    assert [(n.category, n.initiative_id) for n in notes_of(world.leder)] == [("comment", owned.id)]
    set_following(owned, world.leder, False)
    db.session.commit()
    assert not is_following(owned, world.leder)
    add_comment(owned, actor=world.med, body="Igen")
    db.session.commit()
    assert len(notes_of(world.leder)) == 1


def test_a_change_of_vurdering_is_a_status_notification(world):
    set_following(world.card, world.med2, True)
    db.session.commit()
    update_initiative(
        world.card, expected_version=world.card.version, actor=world.leder, health="gul"
    )
    db.session.commit()
    assert [n.category for n in notes_of(world.med2)] == ["status"]
    with world_request():
        [shown] = inbox.list_for(world.med2)
    assert shown.text == "Lone Leder ændrede vurdering på «Ny takstmodel for STU»"


def test_an_edit_that_mentions_someone_new_tells_only_them(world):
    made = comment(world, world.med, "@Lone Leder se her", mentions=[world.leder.id])
    edit_comment(
        made,
        actor=world.med,
        body="@Lone Leder og @Mette Med se her",
        mentions=[world.leder.id, world.med2.id],
    )
    db.session.commit()
    assert [n.category for n in notes_of(world.leder)] == ["mention"]  # not twice
    assert [(n.category, n.comment_id) for n in notes_of(world.med2)] == [("mention", made.id)]

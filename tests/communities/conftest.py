"""Helpers for community tests: communities and topics made through the service."""

from __future__ import annotations

from ashiato.communities.commands import CommunityForm, TopicForm
from ashiato.communities.service import communities, topics


async def make_community(admin, name: str = "ラーメン二郎", **fields: str):  # type: ignore[no-untyped-def]
    form = {
        "name": name,
        "category": "food",
        "description": "二郎系ラーメンが好きな人のコミュニティ。Jiro-style ramen lovers.",
        "join_policy": "open",
        "topic_policy": "members",
        "topics_public": "1",
        **fields,
    }
    return await communities.create_community(admin, CommunityForm(**form))


async def make_topic(author, community, title: str = "おすすめの店", body: str = "教えてください"):  # type: ignore[no-untyped-def]
    return await topics.start_topic(author, community.id, TopicForm(title=title, body=body))

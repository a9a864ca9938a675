"""Community rules, one concern a module. Every function takes the acting member first and
checks permission itself; counts and reply numbers change only in the transaction of the
row they count (see queries.py).

- permissions: the viewer's standing and every rule on it (who reads, posts, moderates)
- forms: validation of the typed forms in communities.commands
- communities: create, edit, the community page, browse and search
- membership: join, leave, requests, the member list, a member's communities
- roles: sub-admins, handing the admin role over, claiming it after the admin withdrew
- moderation: removals, bans, and reports to the community's admins
- topics, threads, events: BBS topics, their numbered replies, and events (オフ会)
- errors, people, text: the refusals, members as pages show them, members' text as HTML

Callers import the module they need. Only what another feature uses is re-exported here.
"""

from __future__ import annotations

from ashiato.communities.service.topics import LatestTopic, latest_topics_in_my_communities

__all__ = ["LatestTopic", "latest_topics_in_my_communities"]

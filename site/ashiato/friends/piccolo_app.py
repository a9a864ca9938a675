from pathlib import Path

from piccolo.conf.apps import AppConfig

from ashiato.friends.tables import (
    Block,
    FriendRequest,
    FriendSettings,
    Friendship,
    Introduction,
)

APP_CONFIG = AppConfig(
    app_name="friends",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Friendship, FriendRequest, Introduction, FriendSettings, Block],
    migration_dependencies=["ashiato.accounts.piccolo_app"],
)

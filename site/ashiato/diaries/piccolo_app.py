from pathlib import Path

from piccolo.conf.apps import AppConfig

from ashiato.diaries.tables import (
    CommentHistoryEntry,
    Diary,
    DiaryComment,
    DiaryPhoto,
    DiarySettings,
)

APP_CONFIG = AppConfig(
    app_name="diaries",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Diary, DiaryPhoto, DiaryComment, CommentHistoryEntry, DiarySettings],
    migration_dependencies=["ashiato.accounts.piccolo_app"],
)

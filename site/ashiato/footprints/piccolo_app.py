from pathlib import Path

from piccolo.conf.apps import AppConfig

from ashiato.footprints.tables import Footprint, FootprintLedger, NotebookEntry

APP_CONFIG = AppConfig(
    app_name="footprints",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Footprint, FootprintLedger, NotebookEntry],
    migration_dependencies=["ashiato.accounts.piccolo_app"],
)

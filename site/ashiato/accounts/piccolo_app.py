from pathlib import Path

from piccolo.conf.apps import AppConfig

from ashiato.accounts.tables import EmailVerification, Invitation
from ashiato.members.tables import Member

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Member, Invitation, EmailVerification],
)

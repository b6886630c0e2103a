"""The pretend PIM users: one may manage Apps, the other may only open them.

The real PIM lets only users with "Manage Apps" connect an App or accept new scopes; a user who can only
open a connected App gets it with the scopes it already has, without a consent wizard. The emulator's UI
switches between the two, so both paths can be clicked through.
"""

from dataclasses import dataclass

from pim_emulator.config import EmulatorConfig

MANAGER = "julia"  # the default user, named by the config
OPENER = "sam"


@dataclass(frozen=True)
class PimUser:
    id: str
    first_name: str
    last_name: str
    email: str
    can_manage_apps: bool

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def role(self) -> str:
        return "may manage Apps" if self.can_manage_apps else "may open Apps, not manage them"


def pim_users(config: EmulatorConfig) -> dict[str, PimUser]:
    """Every pretend user by id, the manager first."""
    return {
        MANAGER: PimUser(MANAGER, config.user_first_name, config.user_last_name, config.user_email, True),
        OPENER: PimUser(OPENER, "Sam", "Rivera", "sam@example.com", False),
    }

"""The published status table (SPEC S9) as data."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Group(Enum):
    """Status groups: value is the group id."""

    PENDING = 1
    UNDELIVERABLE = 2
    DELIVERED = 3
    EXPIRED = 4
    REJECTED = 5


@dataclass(frozen=True)
class StatusInfo:
    """One row of the status table: group, id, name and description."""
    group: Group
    id: int
    name: str
    description: str


class Status(Enum):
    """Every published status; ``Status.PENDING_ACCEPTED.value`` is its :class:`StatusInfo`."""

    PENDING_WAITING_DELIVERY = StatusInfo(Group.PENDING, 3, "PENDING_WAITING_DELIVERY",
                                          "Message is waiting for delivery.")
    PENDING_ENROUTE = StatusInfo(Group.PENDING, 7, "PENDING_ENROUTE",
                                 "Message has been processed and sent to the next instance.")
    PENDING_ACCEPTED = StatusInfo(Group.PENDING, 26, "PENDING_ACCEPTED",
                                  "Message accepted, pending for delivery.")
    UNDELIVERABLE_REJECTED_OPERATOR = StatusInfo(Group.UNDELIVERABLE, 4,
                                                 "UNDELIVERABLE_REJECTED_OPERATOR",
                                                 "Message rejected by the operator.")
    UNDELIVERABLE_NOT_DELIVERED = StatusInfo(Group.UNDELIVERABLE, 9, "UNDELIVERABLE_NOT_DELIVERED",
                                             "Message could not be delivered.")
    DELIVERED_TO_OPERATOR = StatusInfo(Group.DELIVERED, 2, "DELIVERED_TO_OPERATOR",
                                       "Message delivered to the operator.")
    DELIVERED_TO_HANDSET = StatusInfo(Group.DELIVERED, 5, "DELIVERED_TO_HANDSET",
                                      "Message delivered to the handset.")
    EXPIRED_EXPIRED = StatusInfo(Group.EXPIRED, 15, "EXPIRED_EXPIRED",
                                 "Message expired before it could be delivered.")
    EXPIRED_DLR_UNKNOWN = StatusInfo(Group.EXPIRED, 29, "EXPIRED_DLR_UNKNOWN",
                                     "Message expired: delivery report unknown.")
    REJECTED_NETWORK = StatusInfo(Group.REJECTED, 6, "REJECTED_NETWORK",
                                  "Network is forbidden or not covered.")
    REJECTED_PREFIX_MISSING = StatusInfo(Group.REJECTED, 8, "REJECTED_PREFIX_MISSING",
                                         "Number prefix is not recognised.")
    REJECTED_DND = StatusInfo(Group.REJECTED, 10, "REJECTED_DND",
                              "Destination is on a do-not-disturb list.")
    REJECTED_SOURCE = StatusInfo(Group.REJECTED, 11, "REJECTED_SOURCE",
                                 "Sender is not allowed.")
    REJECTED_NOT_ENOUGH_CREDITS = StatusInfo(Group.REJECTED, 12, "REJECTED_NOT_ENOUGH_CREDITS",
                                             "Account has not enough credit.")
    REJECTED_SENDER = StatusInfo(Group.REJECTED, 13, "REJECTED_SENDER",
                                 "Sender is blocked.")
    REJECTED_DESTINATION = StatusInfo(Group.REJECTED, 14, "REJECTED_DESTINATION",
                                      "Destination is blocked.")
    REJECTED_PREPAID_PACKAGE_EXPIRED = StatusInfo(Group.REJECTED, 17,
                                                  "REJECTED_PREPAID_PACKAGE_EXPIRED",
                                                  "Prepaid package has expired.")
    REJECTED_DESTINATION_NOT_REGISTERED = StatusInfo(Group.REJECTED, 18,
                                                     "REJECTED_DESTINATION_NOT_REGISTERED",
                                                     "Destination is not registered.")
    REJECTED_ROUTE_NOT_AVAILABLE = StatusInfo(Group.REJECTED, 19, "REJECTED_ROUTE_NOT_AVAILABLE",
                                              "No route is available.")
    REJECTED_FLOODING_FILTER = StatusInfo(Group.REJECTED, 20, "REJECTED_FLOODING_FILTER",
                                          "Rejected by the flooding filter.")
    REJECTED_SYSTEM_ERROR = StatusInfo(Group.REJECTED, 21, "REJECTED_SYSTEM_ERROR",
                                       "Rejected because of a system error.")
    REJECTED_DUPLICATE_MESSAGE_ID = StatusInfo(Group.REJECTED, 23, "REJECTED_DUPLICATE_MESSAGE_ID",
                                               "Message ID was already used in this request.")
    REJECTED_INVALID_UDH = StatusInfo(Group.REJECTED, 24, "REJECTED_INVALID_UDH",
                                      "Invalid user data header.")
    REJECTED_MESSAGE_TOO_LONG = StatusInfo(Group.REJECTED, 25, "REJECTED_MESSAGE_TOO_LONG",
                                           "Message is too long.")
    MISSING_TO = StatusInfo(Group.REJECTED, 51, "MISSING_TO",
                            "Destination address is missing.")
    REJECTED_INVALID_DESTINATION = StatusInfo(Group.REJECTED, 52, "REJECTED_INVALID_DESTINATION",
                                              "Destination address is not a valid "
                                              "international number.")

    @property
    def id(self) -> int:
        """The status's numeric id."""
        return self.value.id

    @property
    def group(self) -> Group:
        """The status's group."""
        return self.value.group

    @property
    def description(self) -> str:
        """The status's description in words."""
        return self.value.description

    @property
    def is_rejected(self) -> bool:
        """True for the REJECTED group (S7's destination faults among them)."""
        return self.value.group is Group.REJECTED

    @property
    def is_final(self) -> bool:
        """True for every status that ends a destination (all but the PENDING group)."""
        return self.value.group is not Group.PENDING

    def as_json(self) -> dict[str, object]:
        """The platform's ``status`` object."""
        info = self.value
        return {
            "groupId": info.group.value,
            "groupName": info.group.name,
            "id": info.id,
            "name": info.name,
            "description": info.description,
        }

    @classmethod
    def by_id(cls, status_id: int) -> Status:
        """Look a status up by its numeric id; ``KeyError`` for an unknown id."""
        return _BY_ID[status_id]


_BY_ID: dict[int, Status] = {s.value.id: s for s in Status}

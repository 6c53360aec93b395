"""The local author replica, the users-service client and inbound account events."""

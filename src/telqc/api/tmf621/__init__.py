"""TM Forum TMF621 Trouble Ticket Management API v4 over TelQC work orders."""

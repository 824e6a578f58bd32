"""Who may do what: roles, API keys and sign-ins, the secrecy (密级) a role may see, and the audit trail."""

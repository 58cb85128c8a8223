"""The commune's local registry: models, migrations, services and search. No Qt here."""

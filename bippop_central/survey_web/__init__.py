"""The survey page (issue 16): a volunteer or a commune contact answers the commune's
questionnaire through a one-time link the desk made (`/enquete/<contact id>.<secret>`).
Its own module and template folder, in the public pages' layout (bippop_central/web)."""

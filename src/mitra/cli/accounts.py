"""`mitra user` and `mitra token`: accounts (the first one turns login on) and API tokens."""

import sys
from typing import Annotated, Any

import typer

from .app import NOTES, JsonFlag, app, django_ready, fail, out, print_json

user_app = typer.Typer(help="Accounts: the first one turns login on.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens of an account.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")

PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="Read the password from the first line of standard input."
    ),
]
PASSWORD_MAX = 4096  # bytes of a password read; Argon2 takes any length, a request has bounds


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline(PASSWORD_MAX + 1)
        password = line.rstrip("\r\n")
    elif sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        fail("no terminal to ask the password on; give it with --password-stdin")
    if not password:
        fail("the password is empty")
    if len(password.encode("utf-8")) > PASSWORD_MAX:
        fail(f"the password is longer than {PASSWORD_MAX} bytes")
    return password


def _refused(exc: Any) -> str:
    errors = getattr(exc, "errors", None)
    if isinstance(errors, dict):
        return "; ".join(f"{field} {message}" for field, message in errors.items())
    return str(exc)


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="Account name (letters, digits, @ . + - _).")],
    role: Annotated[
        str, typer.Option(help="person (owns a journal), clinician or admin.")
    ] = "person",
    password_stdin: PasswordStdin = False,
) -> None:
    """Add an account; the first account turns login on for the web app and the API."""
    django_ready()
    from mitra.accounts import services as accounts
    from mitra.journal.errors import EntryInvalid

    if role not in accounts.ROLES:
        fail(f"--role must be one of {', '.join(accounts.ROLES)}, not '{role}'")
    first = not accounts.accounts_on()
    password = _password(password_stdin)
    try:
        account = accounts.add_account(name, role, password)
    except EntryInvalid as exc:
        fail(_refused(exc))
    out.print(f"Added {account.user.get_username()} ({account.role}).")
    if first:
        NOTES.append("login is now on: the web app and the API ask for an account")
    if role != "person":
        NOTES.append("a clinician or admin sets up an authenticator app at the first sign-in")


@user_app.command("reset")
def user_reset(
    name: Annotated[str, typer.Argument(help="Account name.")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Set a new password for an account; its sessions end."""
    django_ready()
    from mitra.accounts import services as accounts
    from mitra.journal.errors import EntryInvalid, NotFound

    password = _password(password_stdin)
    try:
        account = accounts.reset_password(name, password)
    except NotFound as exc:
        fail(str(exc))
    except EntryInvalid as exc:
        fail(_refused(exc))
    out.print(f"New password set for {account.user.get_username()}; their sessions have ended.")


@user_app.command("list")
def user_list(as_json: JsonFlag = False) -> None:
    """The accounts, their roles, journals and two-factor state."""
    django_ready()
    from mitra.accounts import services as accounts

    rows = accounts.list_accounts()
    if as_json:
        print_json([row.__dict__ for row in rows])
        return
    if not rows:
        out.print("No accounts: mitra is a one-person journal on this computer, without login.")
        return
    for row in rows:
        factor = "two-factor on" if row.two_factor else "two-factor off"
        journal = ", journal" if row.has_journal else ""
        out.print(f"{row.name}  {row.role}{journal}, {factor}", highlight=False)


def _account(name: str) -> Any:
    from mitra.accounts import services as accounts
    from mitra.journal.errors import NotFound

    try:
        return accounts.account_named(name)
    except NotFound as exc:
        fail(str(exc))


@token_app.command("add")
def token_add(
    user: Annotated[str, typer.Argument(help="Account name.")],
    name: Annotated[str, typer.Option(help="What will use the token.")],
    scope: Annotated[str, typer.Option(help="read or read-write.")] = "read",
) -> None:
    """Make an API token; it is printed this once (on stdout) and never again."""
    django_ready()
    from mitra.accounts import services as accounts
    from mitra.journal.errors import EntryInvalid

    account = _account(user)
    try:
        made = accounts.add_token(account, name, scope)
    except EntryInvalid as exc:
        fail(_refused(exc))
    print(made.secret)
    NOTES.append(
        f"token {made.id} ({made.scope}) made; copy it now: it cannot be shown again. "
        "Send it as 'Authorization: Bearer TOKEN'"
    )


@token_app.command("list")
def token_list(
    user: Annotated[str, typer.Argument(help="Account name.")], as_json: JsonFlag = False
) -> None:
    """An account's tokens with their last use (never the tokens themselves)."""
    django_ready()
    from mitra.accounts import services as accounts

    rows = accounts.list_tokens(_account(user))
    if as_json:
        print_json([row.__dict__ for row in rows])
        return
    if not rows:
        out.print("No tokens.")
    for row in rows:
        used = row.last_used_at.isoformat(timespec="minutes") if row.last_used_at else "never"
        state = " revoked" if row.revoked_at else ""
        out.print(
            f"{row.id}  {row.name}  {row.prefix}…  {row.scope}  last used: {used}{state}",
            highlight=False,
        )


@token_app.command("revoke")
def token_revoke(
    user: Annotated[str, typer.Argument(help="Account name.")],
    token_id: Annotated[int, typer.Argument(help="The token's number (see mitra token list).")],
) -> None:
    """Revoke a token: it stops working at once."""
    django_ready()
    from mitra.accounts import services as accounts
    from mitra.journal.errors import NotFound

    try:
        accounts.revoke_token(_account(user), token_id)
    except NotFound as exc:
        fail(str(exc))
    out.print(f"Token {token_id} revoked.")

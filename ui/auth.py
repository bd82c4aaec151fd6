"""Sign-in: OIDC through st.login when secrets configure it, else local accounts;
a clearly marked demo mode with a role switcher for the demo dataset only.

``sign_in()`` returns the signed-in user's Scope, or stops the page after drawing the
sign-in form. Every sign-in, failure and sign-out goes to the audit log.
"""

from __future__ import annotations

import json
import math
import time

import streamlit as st

from analytics import audit, lake, sessions, users
from analytics.access import ROLES, Scope
from ui.state import dataset_path, get_lake, lang, seed_choice, t, want_in_url

_SESSION_USER = "auth_user"
_SESSION_SCOPE = "scope"


def auth_mode() -> str:
    """'demo' for the demo dataset, 'oidc' when .streamlit/secrets.toml has an [auth]
    section, else 'local'. An imported dataset never opens in demo mode."""
    if lake.dataset_info(dataset_path()).get("kind") == "demo":
        return "demo"
    try:
        if "auth" in st.secrets:
            return "oidc"
    except Exception:  # no secrets file at all: Streamlit raises rather than returning empty
        pass
    return "local"


def _demo_scope() -> Scope:
    """Role switcher for the demo: pick a role and, for scoped roles, a center or team."""
    from analytics import calls

    with st.sidebar:
        st.badge(t("auth.demo_mode"), icon=":material/science:", color="violet")
        role_names = {r: t(f"role.{r}") for r in ROLES}  # resolved now, not when the widget is read
        # The demo role travels in the URL (it is no secret: demo data only), so a reload or
        # a copied link of the demo opens as the same role.
        asked = st.query_params.get("as")
        # Each selectbox here is given its value before it is drawn (ui.state.seed_choice), or
        # after a switch of language it went on showing the chosen role in the old one.
        seed_choice("demo_role", ROLES, asked, "admin")
        role = st.selectbox(
            t("auth.view_as"),
            ROLES,
            key="demo_role",
            format_func=lambda r: role_names[r],
            help=t("auth.demo_help"),
        )
        opts = calls.filter_options(get_lake(), Scope.everything())
        centers = teams = None
        name_col = "name_zh" if lang() == "zh" else "name_en"
        names = {r["center"]: r[name_col] or r["center"] for r in opts["centers"].to_dict(orient="records")}
        if role in ("center_manager", "quality", "team_leader"):
            codes = list(opts["centers"]["center"])
            seed_choice("demo_center", codes, st.query_params.get("as_center"))
            centers = (
                st.selectbox(
                    t("auth.demo_center"),
                    codes,
                    key="demo_center",
                    format_func=lambda c: names.get(c, c),
                ),
            )
        if role == "team_leader":
            team_codes = [c for c, ctr in zip(opts["teams"]["team"], opts["teams"]["center"]) if ctr == centers[0]]
            seed_choice("demo_team", team_codes, st.query_params.get("as_team"))
            teams = (
                st.selectbox(
                    t("auth.demo_team"),
                    team_codes,
                    key="demo_team",
                ),
            )
    # Written with the filters, in one message (ui.state.write_url).
    want_in_url({"as": role, "as_center": centers[0] if centers else None, "as_team": teams[0] if teams else None})
    return Scope.for_role(role, centers, teams, user=f"demo:{role}")


# The sign-in cookie. Streamlit 1.67 has no server-side way to set a cookie
# (st.context.cookies is read-only: the cookies of the session's first request), so the
# signed token (analytics.sessions) is written by a script in the page (st.html with
# JavaScript): SameSite=Strict, Secure over https, never HttpOnly (a script wrote it, so
# a script could read it; the README says what that means and what OIDC gives instead).
SESSION_COOKIE = "callcenter_session"
_SESSION_TOKEN = "_session_token"  # the signed token of this tab's sign-in
_SIGNED_OUT = "_signed_out"  # this tab signed out: ignore the cookie it started with


def _cookie_script(value: str | None, max_age: int) -> str:
    # The value is our own token (base64url and a dot) or empty: nothing a person typed.
    return (
        "<script>document.cookie = "
        + json.dumps(f"{SESSION_COOKIE}={value or ''}; Path=/; Max-Age={max_age}; SameSite=Strict")
        + " + (location.protocol === 'https:' ? '; Secure' : '');</script>"
    )


def _sync_cookie() -> None:
    """Write (or, after a sign-out, clear) the cookie on every run: a run that ends in a page
    switch never reaches the browser, so a one-off write could be lost."""
    token = st.session_state.get(_SESSION_TOKEN)
    if token or st.session_state.get(_SIGNED_OUT):
        with st.sidebar:
            st.html(_cookie_script(token, sessions.DEFAULT_TTL_S if token else 0), unsafe_allow_javascript=True)


def _resume_from_cookie(dataset) -> users.User | None:
    if st.session_state.get(_SIGNED_OUT):
        return None
    try:
        token = st.context.cookies.get(SESSION_COOKIE)
    except Exception:  # no browser request behind this run (AppTest, bare mode)
        return None
    user = sessions.verify(dataset, token)
    if user is not None:
        audit.record(dataset, "sign_in", "local password (signed session cookie)", user.scope())
        st.session_state[_SESSION_TOKEN] = token
    return user


def _local_sign_in(url_paths: tuple[str, ...]) -> Scope:
    dataset = dataset_path()
    name = st.session_state.get(_SESSION_USER)
    if not name:
        resumed = _resume_from_cookie(dataset)
        if resumed is not None:
            st.session_state[_SESSION_USER] = name = resumed.name
    if name:
        user = users.load(dataset).get(name)
        if user is not None:
            _sync_cookie()
            return user.scope()
        st.session_state.pop(_SESSION_USER, None)  # removed or renamed since sign-in
        st.session_state.pop(_SESSION_TOKEN, None)
    _sync_cookie()
    _at_requested_page(_local_form, url_paths)


def _at_requested_page(form, url_paths: tuple[str, ...]) -> None:
    """Show the sign-in form as whichever page the URL names, then stop.

    Streamlit 1.67 identifies a page by the hash of its URL path (navigation/page.py,
    ``_script_hash``). The form stands in for every page here, so the rerun after a good
    password carries the requested page's hash and app.py's navigation opens that page (or
    the role's first page when the role may not open it). Without this the sign-in run has
    no navigation and the person lands on the first page, whatever the link said.
    """
    if url_paths:
        pages = [st.Page(form, title=t("auth.title"), url_path="home", default=True)]
        pages += [st.Page(form, title=t("auth.title"), url_path=u) for u in url_paths]
        st.navigation(pages, position="hidden").run()
    else:
        form()
    st.stop()


def _local_form() -> None:
    dataset = dataset_path()
    st.title(t("auth.title"))
    if not users.load(dataset):
        st.warning(t("auth.no_users", path=str(dataset)))
        st.code(f"python -m analytics users add NAME --role admin --dataset {dataset}", language="bash")
        return
    with st.form("sign_in", border=True):
        name = st.text_input(t("auth.name"), key="sign_in_name")
        password = st.text_input(t("auth.password"), type="password", key="sign_in_password")
        submitted = st.form_submit_button(t("auth.sign_in"), type="primary")
    if not submitted:
        return
    # Backoff and lockout per account name and per client address (users.attempt_sign_in);
    # the messages are the same whether or not the account exists.
    result = users.attempt_sign_in(dataset, name, password, client=st.context.ip_address)
    user = result.user
    if result.status == "locked":
        audit.record(
            dataset,
            "sign_in_locked",
            "local password",
            user=name[:64] or None,
            client=st.context.ip_address,
            locked=list(result.locked_keys),
        )
        wait = result.retry_after_s
        st.error(
            t("auth.wait", seconds=max(1, math.ceil(wait)))
            if wait < 60
            else t("auth.locked", minutes=math.ceil(wait / 60))
        )
        return
    if user is None:
        audit.record(dataset, "sign_in_failed", "local password", user=name[:64] or None, client=st.context.ip_address)
        time.sleep(0.5)  # on top of scrypt: slows guessing further
        st.error(
            t("auth.locked", minutes=math.ceil(result.retry_after_s / 60)) if result.locked_keys else t("auth.failed")
        )
        return
    audit.record(dataset, "sign_in", "local password", user.scope())
    st.session_state[_SESSION_USER] = user.name
    st.session_state[_SESSION_TOKEN] = sessions.issue(dataset, user)
    st.session_state.pop(_SIGNED_OUT, None)
    st.rerun()  # same page hash: app.py's navigation now opens the requested page


def _oidc_sign_in() -> Scope:
    dataset = dataset_path()
    if not st.user.is_logged_in:
        st.title(t("auth.title"))
        st.button(t("auth.sign_in_oidc"), on_click=st.login, type="primary")
        st.stop()
    email = str(st.user.get("email") or "")
    user = users.load(dataset).get(email)
    if user is None:
        st.error(t("auth.no_role", email=email))
        st.button(t("auth.sign_out"), on_click=st.logout)
        st.stop()
    if not st.session_state.get("_oidc_audited"):
        audit.record(dataset, "sign_in", "oidc", user.scope())
        st.session_state["_oidc_audited"] = True
    return user.scope()


def _sign_out(mode: str, scope: Scope) -> None:
    audit.record(dataset_path(), "sign_out", mode, scope)
    st.session_state.pop(_SESSION_USER, None)
    st.session_state.pop(_SESSION_SCOPE, None)
    st.session_state[_SIGNED_OUT] = True
    st.session_state.pop(_SESSION_TOKEN, None)
    if mode == "oidc":
        st.logout()


def sign_in(url_paths: tuple[str, ...] = ()) -> Scope:
    """The signed-in user's Scope; otherwise the sign-in form (standing in for the page of
    any of ``url_paths`` the URL names) and a stop."""
    mode = auth_mode()
    if mode == "demo":
        scope = _demo_scope()
    elif mode == "oidc":
        scope = _oidc_sign_in()
    else:
        scope = _local_sign_in(tuple(url_paths))
    st.session_state[_SESSION_SCOPE] = scope
    if mode != "demo":
        with st.sidebar:
            st.caption(t("auth.signed_in_as", name=scope.user or "", role=t(f"role.{scope.role}")))
            st.button(
                t("auth.sign_out"), on_click=_sign_out, args=(mode, scope), key="sign_out", icon=":material/logout:"
            )
    return scope


_GATE_ADMIN = "import_gate_admin"


def demo_import_gate(scope: Scope) -> bool:
    """Before the first import into the demo dataset: say what it does to everyone and make
    sure an administrator can sign in afterwards. True when the import may run.

    The importer marks the dataset imported, and an imported dataset never opens in demo
    mode, so the next run of every browser needs an account. The administrator confirms
    that consequence and names (or creates, with the command line's password rules) the
    administrator account; this session is signed in as it once the import ran
    (``after_demo_import``).
    """
    dataset = dataset_path()
    st.warning(t("gate.consequence"), icon=":material/lock:")
    admins = sorted(n for n, u in users.load(dataset).items() if u.role == "admin" and u.password_hash)
    ready = st.session_state.get(_GATE_ADMIN) in admins
    if ready:
        st.caption(t("gate.ready", name=st.session_state[_GATE_ADMIN]))
    elif admins:
        # An account exists: prove it can sign in (a demo visitor must not become it by importing).
        with st.form("gate_admin_sign_in", border=True):
            st.markdown(f"**{t('gate.admins', names=', '.join(admins))}**")
            name = st.selectbox(t("auth.name"), admins, key="gate_admin_pick")
            password = st.text_input(t("auth.password"), type="password", key="gate_admin_pw")
            check = st.form_submit_button(t("auth.sign_in"), icon=":material/login:")
        if check:
            # The same backoff and lockout as the sign-in form: this is a password check too.
            result = users.attempt_sign_in(dataset, name, password, client=st.context.ip_address)
            if result.user is None:
                audit.record(
                    dataset,
                    "sign_in_locked" if result.status == "locked" else "sign_in_failed",
                    "local password (before an import)",
                    user=name,
                    client=st.context.ip_address,
                )
                st.error(
                    t("auth.locked", minutes=math.ceil(result.retry_after_s / 60))
                    if result.locked_keys
                    else t("auth.failed")
                )
            else:
                st.session_state[_GATE_ADMIN] = name
                st.rerun()
        return False
    else:
        with st.form("gate_first_admin", border=True):
            st.markdown(f"**{t('gate.first_admin')}**")
            name = st.text_input(t("auth.name"), key="gate_name", max_chars=64)
            pw1 = st.text_input(
                t("auth.password"),
                type="password",
                key="gate_pw1",
                help=t("gate.password_rules", n=users.MIN_PASSWORD_LENGTH),
            )
            pw2 = st.text_input(t("gate.password_again"), type="password", key="gate_pw2")
            create = st.form_submit_button(t("gate.create"), icon=":material/person_add:")
        if create:
            name = name.strip()
            problem = _first_admin_problem(name, pw1, pw2)
            if problem is None:
                try:  # the same rules as `python -m analytics users add`
                    users.add(dataset, name, "admin", pw1)
                except ValueError:
                    problem = t("gate.bad_name")
            if problem:
                st.error(problem)
            else:
                audit.record(
                    dataset, "change_users", f"add {name} as admin (before the first import)", scope, user=scope.user
                )
                st.session_state[_GATE_ADMIN] = name
                st.rerun()
        return False
    return st.checkbox(t("gate.confirm"), key="gate_confirm")


def _first_admin_problem(name: str, pw1: str, pw2: str) -> str | None:
    if name in users.load(dataset_path()):
        return t("gate.exists", name=name)
    if pw1 != pw2:
        return t("gate.differ")
    try:
        users.check_password_strength(pw1)
    except ValueError:
        return t("gate.password_rules", n=users.MIN_PASSWORD_LENGTH)
    return None


def after_demo_import() -> None:
    """The demo is now an imported dataset: keep this administrator signed in as the account
    chosen in the gate, so the person who imported is not the first one locked out."""
    name = st.session_state.get(_GATE_ADMIN)
    if name:
        st.session_state[_SESSION_USER] = name

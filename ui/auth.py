"""Sign-in: OIDC through st.login when secrets configure it, else local accounts;
a clearly marked demo mode with a role switcher for the demo dataset only.

``sign_in()`` returns the signed-in user's Scope, or stops the page after drawing the
sign-in form. Every sign-in, failure and sign-out goes to the audit log.
"""

from __future__ import annotations

import time

import streamlit as st

from analytics import audit, lake, users
from analytics.access import ROLES, Scope
from ui.state import dataset_path, get_lake, lang, t

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
        role = st.selectbox(t("auth.view_as"), ROLES, index=ROLES.index("admin"), key="demo_role",
                            format_func=lambda r: role_names[r], help=t("auth.demo_help"))
        opts = calls.filter_options(get_lake(), Scope.everything())
        centers = teams = None
        name_col = "name_zh" if lang() == "zh" else "name_en"
        names = {r["center"]: r[name_col] or r["center"] for r in opts["centers"].to_dict(orient="records")}
        if role in ("center_manager", "quality", "team_leader"):
            codes = list(opts["centers"]["center"])
            centers = (st.selectbox(t("auth.demo_center"), codes, key="demo_center",
                                   format_func=lambda c: names.get(c, c)),)
        if role == "team_leader":
            team_codes = [c for c, ctr in zip(opts["teams"]["team"], opts["teams"]["center"]) if ctr == centers[0]]
            teams = (st.selectbox(t("auth.demo_team"), team_codes, key="demo_team"),)
    return Scope.for_role(role, centers, teams, user=f"demo:{role}")


def _local_sign_in() -> Scope:
    dataset = dataset_path()
    name = st.session_state.get(_SESSION_USER)
    if name:
        user = users.load(dataset).get(name)
        if user is not None:
            return user.scope()
        st.session_state.pop(_SESSION_USER, None)  # removed or renamed since sign-in
    st.title(t("auth.title"))
    if not users.load(dataset):
        st.warning(t("auth.no_users", path=str(dataset)))
        st.code(f"python -m analytics users add NAME --role admin --dataset {dataset}", language="bash")
        st.stop()
    with st.form("sign_in", border=True):
        name = st.text_input(t("auth.name"), key="sign_in_name")
        password = st.text_input(t("auth.password"), type="password", key="sign_in_password")
        submitted = st.form_submit_button(t("auth.sign_in"), type="primary")
    if submitted:
        user = users.authenticate(dataset, name, password)
        if user is None:
            audit.record(dataset, "sign_in_failed", "local password", user=name[:64] or None)
            time.sleep(0.5)  # on top of scrypt: slows guessing further
            st.error(t("auth.failed"))
        else:
            audit.record(dataset, "sign_in", "local password", user.scope())
            st.session_state[_SESSION_USER] = user.name
            st.rerun()
    st.stop()


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
    if mode == "oidc":
        st.logout()


def sign_in() -> Scope:
    mode = auth_mode()
    if mode == "demo":
        scope = _demo_scope()
    elif mode == "oidc":
        scope = _oidc_sign_in()
    else:
        scope = _local_sign_in()
    st.session_state[_SESSION_SCOPE] = scope
    if mode != "demo":
        with st.sidebar:
            st.caption(t("auth.signed_in_as", name=scope.user or "", role=t(f"role.{scope.role}")))
            st.button(t("auth.sign_out"), on_click=_sign_out, args=(mode, scope), key="sign_out",
                      icon=":material/logout:")
    return scope

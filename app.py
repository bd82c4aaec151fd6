"""Entry point: page config, language, the demo dataset on first start, navigation."""

from __future__ import annotations

import os

import streamlit as st

from ui.preload import preload_frontend

st.set_page_config(page_title="Call-center analytics", page_icon=":material/support_agent:", layout="wide")
# First of all, before the imports below load pandas and DuckDB (about a second) and the page
# runs its queries: the browser fetches the chart and table code meanwhile (ui/preload.py).
preload_frontend()

from analytics import lake  # noqa: E402  (after the preload, on purpose)
from i18n import LANGS  # noqa: E402
from i18n.strings_codes import step_label  # noqa: E402
from ui.admission import page_run  # noqa: E402
from ui.auth import sign_in  # noqa: E402
from ui.filters import keep_in_url  # noqa: E402
from ui.state import dataset_path, get_lake, lang, t  # noqa: E402

EX, CM, TL, QA, HR, AD = "executive", "center_manager", "team_leader", "quality", "hr", "admin"
# (navigation section, script, title key, icon, URL path, roles that may open it), in order.
PAGES = (
    (
        "nav.operations",
        "views/service_level.py",
        "page.service_level",
        ":material/call:",
        "service_level",
        (EX, CM, TL, QA, AD),
    ),
    ("nav.operations", "views/handle_time.py", "page.handle_time", ":material/timer:", "handle_time", (CM, TL, QA, AD)),
    ("nav.operations", "views/staffing.py", "page.staffing", ":material/groups:", "staffing", (CM, HR, AD)),
    (
        "nav.operations",
        "views/complaints.py",
        "page.complaints",
        ":material/report:",
        "complaints",
        (EX, CM, TL, QA, AD),
    ),
    (
        "nav.management",
        "views/monthly_review.py",
        "page.monthly_review",
        ":material/summarize:",
        "monthly_review",
        (EX, CM, HR, AD),
    ),
    (
        "nav.management",
        "views/scorecards.py",
        "page.scorecards",
        ":material/leaderboard:",
        "scorecards",
        (TL, CM, AD, HR),
    ),
    ("nav.management", "views/quality.py", "page.quality", ":material/hearing:", "quality", (QA, CM, AD)),
    ("nav.people", "views/attrition.py", "page.attrition", ":material/person_remove:", "attrition", (HR, AD)),
    ("nav.people", "views/careers.py", "page.careers", ":material/trending_up:", "careers", (CM, TL, HR, AD)),
    ("nav.admin", "views/data.py", "page.data", ":material/database:", "data", (AD,)),
    ("nav.admin", "views/audit.py", "page.audit", ":material/policy:", "audit", (AD,)),
    (
        "nav.reference",
        "views/definitions.py",
        "page.definitions",
        ":material/menu_book:",
        "definitions",
        (EX, CM, TL, QA, HR, AD),
    ),
)


def pages_for(role: str) -> list[tuple]:
    return [p for p in PAGES if role in p[5]]


def ensure_dataset() -> bool:
    """On the very first start (no dataset folder yet) generate the demo with a progress bar."""
    path = dataset_path()
    if lake.has_dataset(path):
        return True
    from analytics.commands.demo import ensure_demo

    bar = st.progress(0.0, text=t("demo.generating"))
    lang_now = lang()  # read once: the callback may run outside the script's thread
    # A file lock beside the folder: another session or process generating waits, then finds it.
    try:
        if ensure_demo(
            path,
            scale=os.environ.get("CALLCENTER_DEMO_SCALE", "default"),
            progress=lambda f, msg: bar.progress(
                min(1.0, f), text=f"{t('demo.generating')} {step_label(msg, lang_now)}"
            ),
        ):
            st.toast(t("demo.done"))
    except FileExistsError:
        st.warning(t("dataset.missing", path=str(path)))
        return False
    finally:
        bar.empty()
    return True


def _switch_language() -> None:
    """Runs before the run the click causes, so the page draws once, in the new language
    (it used to draw in the old one, notice the change and st.rerun: two runs per click)."""
    choice = st.session_state.get("lang_switch")
    if choice:  # clicking the chosen language deselects it: the language stays
        st.session_state["lang"] = choice
        st.query_params["lang"] = choice


with st.sidebar:
    st.segmented_control(
        t("lang.label"),
        LANGS,
        default=lang(),
        key="lang_switch",
        format_func=lambda code: {"zh": "中文", "en": "English"}[code],
        on_change=_switch_language,
    )

if ensure_dataset():
    user_scope = sign_in(tuple(p[4] for p in PAGES))
    sections: dict[str, list] = {}
    for section, script, title, icon, url_path, _roles in pages_for(user_scope.role):
        sections.setdefault(t(section), []).append(st.Page(script, title=t(title), icon=icon, url_path=url_path))
    first_page = next(iter(sections.values()))[0]
    # Streamlit 1.67 gives the default page the URL path "" (navigation/page.py, url_path),
    # so a link to a default page by its own name (/service_level?from=...) matched no page:
    # st.navigation (commands/navigation.py) then sent a page_not_found message, the frontend
    # showed "Page not found ... Running the app's main page" and ran the default page, i.e.
    # the right page behind the modal, on every first request of a browser tab. Every real
    # page keeps its name here; a hidden landing page is the default and forwards "/" to the
    # role's first page with the URL's filters.
    landing = st.Page(
        lambda: st.switch_page(first_page, query_params=st.query_params.to_dict()),
        title=t("nav.home"),
        url_path="home",
        default=True,
        visibility="hidden",
    )
    sections[next(iter(sections))].insert(0, landing)
    # Before st.navigation: the browser then gets the URL's parameters before it moves to
    # the new page's address, and writes that address with them (no extra history entry).
    keep_in_url(get_lake(), user_scope)
    page = st.navigation(sections)
    # Pages compute a few at a time, in arrival order, when many sessions ask at once
    # (ui/admission.py): everyone's page comes sooner than when all run together.
    with page_run(page.url_path):
        page.run()

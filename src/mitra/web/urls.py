from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.urls import URLResolver, path
from django.urls.resolvers import RoutePattern

from . import (
    account_views,
    alert_views,
    consent_views,
    delete_views,
    import_views,
    offline_views,
    plan_views,
    questionnaire_views,
    reminder_views,
    research_views,
    share_views,
    substance_views,
    taper_views,
    views,
)


class _LazyResolver(URLResolver):
    """URLs under a prefix, imported when a request reaches the prefix or a URL is reversed by
    the resolver's namespace, and not when a page reverses its own URLs.

    Django's resolver walks every included resolver whenever any URL is reversed; the API's
    routes build their schemas as they are imported (about a second), which a freshly started
    server would otherwise make its first page wait for.
    """

    def _populate(self) -> None:
        if "urlconf_module" in self.__dict__:  # loaded: reversing by its namespace needs it
            super()._populate()

    def _loaded(self) -> None:
        self.url_patterns  # noqa: B018  imports the URLs

    @property
    def reverse_dict(self) -> Any:
        self._loaded()
        return super().reverse_dict

    @property
    def namespace_dict(self) -> Any:
        self._loaded()
        return super().namespace_dict

    @property
    def app_dict(self) -> Any:
        self._loaded()
        return super().app_dict


def _later(name: str) -> Callable[..., HttpResponse]:
    """The view `module.function` of this package, imported when it is first asked for.

    For pages whose modules take long to import (the statistics behind Insights and the
    report import SciPy): a freshly started server's first page does not wait for them, and
    the start-up warming imports them after Today's page. Not for views exempt from CSRF:
    the middleware reads that mark before the view is imported.
    """
    module, _, function = name.partition(".")

    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        found = getattr(import_module(f"{__package__}.{module}"), function)
        if getattr(found, "csrf_exempt", False):
            raise ImproperlyConfigured(f"{name} is exempt from CSRF: import it with the URLs")
        return found(request, *args, **kwargs)  # type: ignore[no-any-return]

    view.__name__ = view.__qualname__ = function
    view.__module__ = f"{__package__}.{module}"
    return view


#: The modules `_later` imports, for the start-up warming.
LATER_MODULES = ("insight_views", "report_views")

API_NAMESPACE = "api-v1"
urlpatterns = [
    _LazyResolver(
        RoutePattern("api/v1/"), "mitra.api.urls", app_name=API_NAMESPACE, namespace=API_NAMESPACE
    ),
    path("", views.today, name="today"),
    path("sw.js", offline_views.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline_views.manifest, name="manifest"),
    path("icons/mitra-<int:size>.png", offline_views.app_icon, name="app_icon"),
    path("offline", offline_views.offline, name="offline"),
    path("today/charts/<str:chart>", views.today_chart, name="today_chart"),
    path("welcome", views.welcome, name="welcome"),
    path("login", account_views.login_page, name="login"),
    path("logout", account_views.logout_page, name="logout"),
    path("account", account_views.security, name="security"),
    path("account/two-factor", account_views.two_factor, name="two_factor"),
    # Outside the two-factor prefix: a session that has not given its second factor is sent to it.
    path("account/authenticator-app", account_views.authenticator_app, name="authenticator_app"),
    # Passkeys (django-otp-webauthn's ceremonies, JSON over fetch), under the two-factor prefix:
    # a clinician registers one at the first sign-in, and the second step uses one.
    path(
        "account/two-factor/passkey/register/begin",
        account_views.passkey_register_begin,
        name="passkey_register_begin",
    ),
    path(
        "account/two-factor/passkey/register/complete",
        account_views.passkey_register_complete,
        name="passkey_register_complete",
    ),
    path(
        "account/two-factor/passkey/verify/begin",
        account_views.passkey_verify_begin,
        name="passkey_verify_begin",
    ),
    path(
        "account/two-factor/passkey/verify/complete",
        account_views.passkey_verify_complete,
        name="passkey_verify_complete",
    ),
    path("account/two-factor/passkey/words.js", account_views.passkey_words, name="passkey_words"),
    path(
        "account/passkeys/<int:passkey_id>/remove",
        account_views.passkey_remove,
        name="passkey_remove",
    ),
    path(
        "account/log-out-everywhere",
        account_views.log_out_everywhere,
        name="log_out_everywhere",
    ),
    path("account/tokens", account_views.tokens, name="tokens"),
    path("sharing", share_views.sharing_page, name="sharing"),
    path("sharing/<int:link_id>/revoke", share_views.share_revoke, name="share_revoke"),
    path("shared/<str:token>", share_views.shared_report, name="shared_report"),
    path("shared/<str:token>/report.pdf", share_views.shared_report_pdf, name="shared_report_pdf"),
    path("sharing/grants", share_views.grant_add, name="grant_add"),
    path("sharing/grants/<int:grant_id>/revoke", share_views.grant_revoke, name="grant_revoke"),
    path("account/shared-with-me", share_views.shared_with_me, name="shared_with_me"),
    path("account/research", research_views.research, name="research"),
    path(
        "account/shared-with-me/<int:grant_id>",
        share_views.shared_with_me_report,
        name="shared_with_me_report",
    ),
    path(
        "account/shared-with-me/<int:grant_id>/trends",
        share_views.shared_with_me_trends,
        name="shared_with_me_trends",
    ),
    path(
        "account/shared-with-me/<int:grant_id>/report.pdf",
        share_views.shared_with_me_pdf,
        name="shared_with_me_pdf",
    ),
    path(
        "account/shared-with-me/<int:grant_id>/csv.zip",
        share_views.shared_with_me_csv,
        name="shared_with_me_csv",
    ),
    path("account/tokens/<int:token_id>/revoke", account_views.token_revoke, name="token_revoke"),
    path("checkins", views.checkin_add, name="checkin_add"),
    path("doses", views.dose_add, name="dose_add"),
    path("doses/units", views.dose_units, name="dose_units"),
    path("products", views.products, name="products"),
    path("products/<int:product_id>", views.product_edit, name="product_edit"),
    path("products/<int:product_id>/delete", views.product_delete, name="product_delete"),
    path("journal", views.journal, name="journal"),
    path("journal/deleted", views.journal_deleted, name="journal_deleted"),
    path("journal/<str:kind>/<int:entry_id>", views.entry_edit, name="entry_edit"),
    path("journal/<str:kind>/<int:entry_id>/delete", views.entry_delete, name="entry_delete"),
    path("journal/<str:kind>/<int:entry_id>/restore", views.entry_restore, name="entry_restore"),
    path("crisis", views.crisis, name="crisis"),
    path("evidence", views.evidence, name="evidence"),
    path("alerts", alert_views.alerts, name="alerts"),
    path("insights", _later("insight_views.insights"), name="insights"),
    path("insights/<str:card_id>.json", _later("insight_views.insight_data"), name="insight_data"),
    path(
        "insights/<str:card_id>/chart", _later("insight_views.insight_chart"), name="insight_chart"
    ),
    path(
        "alerts/<int:alert_id>/acknowledge", alert_views.alert_acknowledge, name="alert_acknowledge"
    ),
    path("substances", substance_views.substances, name="substances"),
    path("substances/check", substance_views.substance_check, name="substance_check"),
    path(
        "substances/<int:substance_id>/delete",
        substance_views.substance_delete,
        name="substance_delete",
    ),
    path("intakes", substance_views.intake_add, name="intake_add"),
    path("settings", views.settings_page, name="settings"),
    path("settings/reminders/renew", views.reminders_renew, name="reminders_renew"),
    path("settings/consent", consent_views.consent_save, name="consent_save"),
    path("settings/consent/withdraw", consent_views.consent_withdraw, name="consent_withdraw"),
    path("settings/delete", delete_views.delete_page, name="delete_journal"),
    path("import", import_views.import_page, name="import"),
    path("taper", taper_views.taper, name="taper"),
    path("reminders/<str:token>.ics", reminder_views.reminders_feed, name="reminders_feed"),
    path("taper/plan", taper_views.taper_plan, name="taper_plan"),
    path("taper/<str:action>", taper_views.taper_choose, name="taper_choose"),
    path("plan", plan_views.plan_page, name="plan"),
    path("plan/goals/<str:kind>/remove", plan_views.goal_remove, name="goal_remove"),
    path("report", _later("report_views.report_page"), name="report"),
    path("report.pdf", _later("report_views.report_pdf"), name="report_pdf"),
    path("export/journal.json", _later("report_views.export_json"), name="export_json"),
    path("export/csv.zip", _later("report_views.export_csv"), name="export_csv"),
    path("export/fhir.json", _later("report_views.export_fhir"), name="export_fhir"),
    path("questionnaires", questionnaire_views.questionnaires, name="questionnaires"),
    path(
        "questionnaires/<str:code>",
        questionnaire_views.questionnaire_take,
        name="questionnaire_take",
    ),
    path(
        "responses/<int:response_id>", questionnaire_views.response_detail, name="response_detail"
    ),
    path(
        "responses/<int:response_id>/acknowledge",
        questionnaire_views.crisis_acknowledge,
        name="crisis_acknowledge",
    ),
]

# Error pages that never read the request body; problem+json under /api/.
handler400 = "mitra.web.errors.bad_request"
handler403 = "mitra.web.errors.permission_denied"
handler404 = "mitra.web.errors.page_not_found"
handler500 = "mitra.web.errors.server_error"

from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "mitra.journal"
    label = "journal"
    verbose_name = "Journal"

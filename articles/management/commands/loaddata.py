"""Django's loaddata, then the counts and the history the archive keeps.

loaddata saves rows raw, without the signals that keep each outlet's, person's
and topic's published_count and monthly counts (articles.counts), so a fixture
loaded the ordinary way left every count at 0 and the indexes empty. Once the
fixtures are in, everything is recounted, inside loaddata's own transaction (a
failure leaves neither rows nor counts), and the page cache is forgotten.

Raw saves record no history either: each loaded row of a model with history is
given a first record saying where it came from ("Loaded from fixture
demo.json"), unless the fixture brought that model's history with it.
"""

import os
from collections import defaultdict

from django.core.management.commands import loaddata
from django.db.models.signals import post_save
from django.utils import timezone

from articles.cache import bump_on_commit
from articles.counts import recount_all
from articles.history import has_history, record_origins


class Command(loaddata.Command):
    def loaddata(self, fixture_labels):
        # model: {primary key: (change reason, created)}
        self.origins = defaultdict(dict)
        receiver = self.note_saved
        post_save.connect(receiver, weak=False)
        try:
            super().loaddata(fixture_labels)
        finally:
            post_save.disconnect(receiver)
        if self.loaded_object_count:
            recount_all(using=self.using)
            self.record_history()
            bump_on_commit(using=self.using)

    def load_label(self, fixture_label):
        files = self.find_fixtures(fixture_label)
        name = os.path.basename(files[0][0]) if len(files) == 1 else fixture_label
        self.origin = f"Loaded from fixture {name}"
        super().load_label(fixture_label)

    def note_saved(self, sender, instance, created, raw=False, using=None, **kwargs):
        if raw and using == self.using and has_history(sender):
            self.origins[sender][instance.pk] = (self.origin, created)

    def record_history(self):
        now = timezone.now()
        for model, loaded in self.origins.items():
            history = getattr(model, model._meta.simple_history_manager_attribute)
            if history.model in self.models:
                continue  # a fixture made by dumpdata may carry the history
            for created, history_type in ((True, "+"), (False, "~")):
                reasons = {
                    pk: reason for pk, (reason, new) in loaded.items() if new == created
                }
                record_origins(
                    model,
                    reasons,
                    when=now,
                    history_type=history_type,
                    using=self.using,
                )

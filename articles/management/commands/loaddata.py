"""Django's loaddata, then the counts the archive keeps.

loaddata saves rows raw, without the signals that keep each outlet's, person's
and topic's published_count and monthly counts (articles.counts), so a fixture
loaded the ordinary way left every count at 0 and the indexes empty. Once the
fixtures are in, everything is recounted, inside loaddata's own transaction (a
failure leaves neither rows nor counts), and the page cache is forgotten.
"""

from django.core.management.commands import loaddata

from articles.cache import bump_on_commit
from articles.counts import recount_all


class Command(loaddata.Command):
    def loaddata(self, fixture_labels):
        super().loaddata(fixture_labels)
        if self.loaded_object_count:
            recount_all(using=self.using)
            bump_on_commit(using=self.using)
